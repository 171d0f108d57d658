"""1,000 generated hostile messages on shell and control, from a seeded generator.

Every generated message is forged or malformed: bad, missing or truncated signatures, tampered
content, missing frames, no delimiter, invalid JSON, JSON that is not an object, headers
without msg_id or msg_type, mistyped request content, unknown msg_types, oversized messages
and replays of messages the kernel already accepted. Each forged execute_request carries code
that would write a marker file. The test checks, against the kernel's own stderr log, that each
one was rejected with its reason, that no marker exists and no replay ran twice, and that the
kernel still answers kernel_info and runs a cell afterwards. It prints the counts as JSON.
"""
import collections
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import tempfile
import unittest
import uuid

import zmq

import kernel_session as ks

SEED = 20251204
COUNT = 1000
LEGIT = 10
MAX_MESSAGE_BYTES = 64 * 1024

# Why the kernel's log says it rejected each kind (src/US3L.Kernel/Protocol and JupyterKernel.cs).
REASONS = {
    "bad_signature": "bad HMAC signature",
    "truncated_signature": "bad HMAC signature",
    "tampered_content": "bad HMAC signature",
    "unsigned": "message is not signed",
    "missing_frames": "frames after the delimiter",
    "no_delimiter": "no <IDS|MSG> delimiter",
    "malformed_json": "is not valid JSON",
    "non_object_json": "is not a JSON object",
    "missing_header_fields": "is missing or not a non-empty string",
    "wrong_content_types": "content.",
    "unknown_msg_type": "unknown msg_type",
    "oversized": "exceeds the limit",
    "replay": "replayed message",
}
REJECTED = re.compile(r"^\[us3l-kernel\] rejected a message on (shell|control): (.*)$")


class MessageForge:
    """Builds wire frames, signed with the kernel's key unless a kind says otherwise."""

    def __init__(self, key, rng, marker_dir):
        self.key = key
        self.rng = rng
        self.marker_dir = marker_dir
        self.accepted = []  # frames of legitimate messages, replayed later

    def sign(self, parts):
        mac = hmac.new(self.key, digestmod=hashlib.sha256)
        for p in parts:
            mac.update(p)
        return mac.hexdigest().encode()

    def header(self, msg_type):
        return {"msg_id": uuid.UUID(int=self.rng.getrandbits(128)).hex, "session": "fuzz", "username": "fuzz",
                "date": "2025-12-04T00:00:00Z", "msg_type": msg_type, "version": "5.3"}

    def marker_code(self, i):
        return f'System.IO.File.WriteAllText(@"{self.marker_dir}/forged-{i}", "ran");'

    def signed(self, header, content, metadata=None):
        parts = [json.dumps(header).encode(), b"{}", json.dumps(metadata or {}).encode(), json.dumps(content).encode()]
        return [b"<IDS|MSG>", self.sign(parts)] + parts

    def execute(self, i, **extra):
        return self.signed(self.header("execute_request"), dict({"code": self.marker_code(i), "silent": False}, **extra))

    def forge(self, kind, i):
        rng = self.rng
        if kind == "bad_signature":
            frames = self.execute(i)
            frames[1] = "".join(rng.choice("0123456789abcdef") for _ in range(64)).encode()
        elif kind == "truncated_signature":
            frames = self.execute(i)
            frames[1] = frames[1][: rng.randrange(0, 63)]
            if not frames[1]:
                frames[1] = b"0"
        elif kind == "tampered_content":
            frames = self.signed(self.header("execute_request"), {"code": "1 + 1", "silent": False})
            frames[-1] = json.dumps({"code": self.marker_code(i), "silent": False}).encode()
        elif kind == "unsigned":
            frames = self.execute(i)
            frames[1] = b""
        elif kind == "missing_frames":
            frames = self.execute(i)[: rng.randrange(1, 6)]
        elif kind == "no_delimiter":
            frames = [f for f in self.execute(i) if f != b"<IDS|MSG>"]
        elif kind == "malformed_json":
            header = json.dumps(self.header("execute_request")).encode()
            content = json.dumps({"code": self.marker_code(i)}).encode()
            parts = [header, b"{}", b"{}", content]
            which = rng.randrange(4)
            garbage = [b"{not json", b'{"a": }', bytes(rng.getrandbits(8) for _ in range(16)), b'{"code": "x"', b""]
            parts[which] = rng.choice(garbage)
            frames = [b"<IDS|MSG>", self.sign(parts)] + parts
        elif kind == "non_object_json":
            parts = [json.dumps(self.header("execute_request")).encode(), b"{}", b"{}", json.dumps({"code": self.marker_code(i)}).encode()]
            parts[rng.randrange(4)] = rng.choice([b"[]", b'"text"', b"5", b"null", b"true", b'[{"code": "x"}]'])
            frames = [b"<IDS|MSG>", self.sign(parts)] + parts
        elif kind == "missing_header_fields":
            header = self.header("execute_request")
            field = rng.choice(["msg_id", "msg_type"])
            mutation = rng.randrange(3)
            if mutation == 0:
                del header[field]
            elif mutation == 1:
                header[field] = rng.choice([5, None, [], {}, True])
            else:
                header[field] = ""
            frames = self.signed(header, {"code": self.marker_code(i)})
        elif kind == "wrong_content_types":
            choices = [
                ("execute_request", {"code": rng.choice([5, None, [], {"x": 1}, True])}),
                ("execute_request", {"code": self.marker_code(i), "silent": rng.choice(["yes", 1, [], {}])}),
                ("execute_request", {"code": self.marker_code(i), "store_history": "no"}),
                ("execute_request", {"code": self.marker_code(i), "user_expressions": rng.choice([[], "x", 3])}),
                ("execute_request", {"silent": False}),
                ("complete_request", {"code": "Console.", "cursor_pos": rng.choice(["8", 8.5, [], {}])}),
                ("inspect_request", {"code": 7, "cursor_pos": 0}),
                ("is_complete_request", {"code": {"a": 1}}),
                ("history_request", {"hist_access_type": "tail", "n": "ten"}),
                ("shutdown_request", {"restart": "please"}),
            ]
            msg_type, content = rng.choice(choices)
            frames = self.signed(self.header(msg_type), content)
        elif kind == "unknown_msg_type":
            name = rng.choice(["make_coffee_request", "execute", "EXECUTE_REQUEST", "execute_request\n", "debug_request",
                               "x" * 300, "execute_reply", "\u00e9x\u00e9cute_request"])
            frames = self.signed(self.header(name), {"code": self.marker_code(i)})
        elif kind == "oversized":
            padding = "/" * (MAX_MESSAGE_BYTES + rng.randrange(1, 4 * MAX_MESSAGE_BYTES))
            frames = self.signed(self.header("execute_request"), {"code": self.marker_code(i) + "\n// " + padding})
        elif kind == "replay":
            frames = list(rng.choice(self.accepted))
        else:
            raise ValueError(kind)
        return frames


class KernelUnderFuzz(unittest.TestCase):
    def test_generated_hostile_messages_are_rejected_logged_and_never_run(self):
        log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log")
        work = tempfile.mkdtemp(prefix="us3l-fuzz-")
        env = dict(os.environ, US3L_KERNEL_MAX_MESSAGE_BYTES=str(MAX_MESSAGE_BYTES))
        km, kc = ks.start(stderr=log, env=env)
        info = km.get_connection_info()
        key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
        ctx = zmq.Context()
        sockets = {}
        for channel in ("shell", "control"):
            sockets[channel] = ctx.socket(zmq.DEALER)
            sockets[channel].connect(f"tcp://{info['ip']}:{info[channel + '_port']}")
        rng = random.Random(SEED)
        forge = MessageForge(key, rng, work)
        try:
            # Legitimate requests first: each appends one line to its own file; their frames are replayed later.
            for n in range(LEGIT):
                frames = forge.signed(forge.header("execute_request"),
                                      {"code": f'System.IO.File.AppendAllText(@"{work}/legit-{n}", "ran\\n");', "silent": False})
                sockets["shell"].send_multipart(frames)
                self.wait_reply(sockets["shell"], frames, "execute_reply")
                forge.accepted.append(frames)
                control = forge.signed(forge.header("kernel_info_request"), {})
                sockets["control"].send_multipart(control)
                self.wait_reply(sockets["control"], control, "kernel_info_reply")
                forge.accepted.append(control)

            sent = collections.Counter()
            for i in range(COUNT):
                kind = rng.choice(sorted(REASONS))
                channel = rng.choice(["shell", "control"])
                sockets[channel].send_multipart(forge.forge(kind, i))
                sent[kind] += 1

            # Each channel handles its messages in order: the answer to a request sent after the
            # generated ones means the kernel has dealt with all of them.
            for channel, socket in sockets.items():
                last = forge.signed(forge.header("kernel_info_request"), {})
                socket.send_multipart(last)
                self.wait_reply(socket, last, "kernel_info_reply")

            log.flush()
            log.seek(0)
            rejected = collections.Counter()
            for line in log.read().splitlines():
                m = REJECTED.match(line)
                if m:
                    reason = next((r for r in set(REASONS.values()) if r in m.group(2)), "other: " + m.group(2))
                    rejected[reason] += 1
            expected = collections.Counter()
            for kind, n in sent.items():
                expected[REASONS[kind]] += n

            markers = sorted(f for f in os.listdir(work) if f.startswith("forged-"))
            legit_runs = []
            for n in range(LEGIT):
                with open(os.path.join(work, f"legit-{n}")) as f:
                    legit_runs.append(f.read().count("ran"))
            reply, outputs = ks.execute(kc, "6 * 7")
            executions = reply.get("execution_count")
            print(json.dumps({
                "seed": SEED, "sent": sum(sent.values()), "sent_per_kind": dict(sorted(sent.items())),
                "rejected_per_reason": dict(sorted(rejected.items())), "forged_executed": len(markers),
                "legit_executions": sum(legit_runs), "execution_count_after": executions,
            }))

            self.assertEqual(sum(sent.values()), COUNT)
            self.assertEqual(set(sent), set(REASONS), "the generator did not produce every kind")
            self.assertEqual(rejected, expected, "each generated message must be rejected once, for its own reason, in the log")
            self.assertEqual(markers, [], "a forged or malformed execute_request ran")
            self.assertEqual(legit_runs, [1] * LEGIT, "a replayed execute_request ran again")
            # Still serving: kernel_info, and a cell whose count shows only the legitimate cells ran.
            self.assertEqual(ks.shell_reply(kc, kc.kernel_info())["msg_type"], "kernel_info_reply")
            self.assertEqual(reply["status"], "ok")
            self.assertEqual(ks.of_type(outputs, "execute_result")[0]["content"]["data"]["text/plain"], "42")
            self.assertEqual(executions, LEGIT + 1)
        finally:
            for socket in sockets.values():
                socket.close(0)
            ctx.term()
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            shutil.rmtree(work, ignore_errors=True)

    def wait_reply(self, socket, request_frames, reply_type):
        """Reads this socket until the reply to request_frames; error replies to mistyped requests are skipped."""
        msg_id = json.loads(request_frames[2])["msg_id"]
        while True:
            self.assertTrue(socket.poll(ks.TIMEOUT * 1000), f"no {reply_type} within {ks.TIMEOUT} s")
            frames = socket.recv_multipart()
            split = frames.index(b"<IDS|MSG>")
            header, parent = json.loads(frames[split + 2]), json.loads(frames[split + 3])
            if parent.get("msg_id") == msg_id:
                self.assertEqual(header["msg_type"], reply_type)
                return


if __name__ == "__main__":
    unittest.main()
