"""Small helpers over jupyter_client for talking to a kernel in tests."""
import os
import queue

from jupyter_client.manager import start_new_kernel

KERNEL_NAME = os.environ.get("US3L_KERNEL_NAME", "us3l-csharp")
TIMEOUT = 60


def start(kernel_name=KERNEL_NAME, **kwargs):
    return start_new_kernel(kernel_name=kernel_name, startup_timeout=TIMEOUT, **kwargs)


def execute(kc, code, on_output=None, **kwargs):
    """Runs code; returns (reply content, iopub messages of this request before idle).

    on_output(msg) is called for each output message as it arrives, while the cell runs.
    """
    msg_id = kc.execute(code, **kwargs)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("status", "execute_input"):
            continue
        outputs.append(msg)
        if on_output:
            on_output(msg)
    return shell_reply(kc, msg_id)["content"], outputs


def shell_reply(kc, msg_id):
    """The shell reply to msg_id; replies to earlier requests that a test left unread are skipped."""
    while True:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def stdout_text(outputs):
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def of_type(outputs, kind):
    return [m for m in outputs if m["msg_type"] == kind]


def drain_iopub(kc, timeout=0.2):
    try:
        while True:
            kc.get_iopub_msg(timeout=timeout)
    except queue.Empty:
        pass
