"""The kernel keeps serving after hostile or broken input on its sockets."""
import hashlib
import hmac
import json
import subprocess
import tempfile
import time
import unittest
import uuid

import zmq

import kernel_session as ks


class ProtocolRobustness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = ks.start(stderr=subprocess.PIPE)
        info = cls.km.get_connection_info()
        cls.key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
        cls.ctx = zmq.Context()
        cls.shell = cls.ctx.socket(zmq.DEALER)
        cls.shell.connect(f"tcp://{info['ip']}:{info['shell_port']}")
        cls.hb_address = f"tcp://{info['ip']}:{info['hb_port']}"

    @classmethod
    def tearDownClass(cls):
        cls.shell.close(0)
        cls.ctx.term()
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=False)

    def frames(self, msg_type, content=b"{}", signature=None):
        header = json.dumps({"msg_id": uuid.uuid4().hex, "session": "robustness", "username": "test",
                             "date": "2024-01-01T00:00:00Z", "msg_type": msg_type, "version": "5.3"}).encode()
        parts = [header, b"{}", b"{}", content]
        if signature is None:
            mac = hmac.new(self.key, digestmod=hashlib.sha256)
            for p in parts:
                mac.update(p)
            signature = mac.hexdigest().encode()
        return [b"<IDS|MSG>", signature] + parts

    def assert_no_reply(self):
        self.assertEqual(self.shell.poll(500), 0, "the kernel answered a message it should have rejected")

    def assert_still_serving(self):
        reply = ks.shell_reply(self.kc, self.kc.kernel_info())
        self.assertEqual(reply["msg_type"], "kernel_info_reply")
        reply, outputs = ks.execute(self.kc, "6 * 7")
        self.assertEqual(reply["status"], "ok")

    def test_bad_signature_is_rejected(self):
        self.shell.send_multipart(self.frames("kernel_info_request", signature=b"0" * 64))
        self.assert_no_reply()
        self.assert_still_serving()

    def test_unsigned_message_is_rejected(self):
        self.shell.send_multipart(self.frames("execute_request", signature=b""))
        self.assert_no_reply()
        self.assert_still_serving()

    def test_tampered_content_is_rejected(self):
        frames = self.frames("execute_request", content=json.dumps({"code": "1"}).encode())
        frames[-1] = json.dumps({"code": "Environment.Exit(3)"}).encode()
        self.shell.send_multipart(frames)
        self.assert_no_reply()
        self.assert_still_serving()

    def test_malformed_json_is_rejected(self):
        self.shell.send_multipart(self.frames("kernel_info_request", content=b"{not json"))
        self.assert_no_reply()
        self.assert_still_serving()

    def test_missing_frames_are_rejected(self):
        self.shell.send_multipart([b"<IDS|MSG>", b"sig", b"{}"])
        self.shell.send_multipart([b"no delimiter at all"])
        self.assert_no_reply()
        self.assert_still_serving()

    def test_unknown_message_type_is_ignored(self):
        self.shell.send_multipart(self.frames("make_coffee_request"))
        self.assert_no_reply()
        self.assert_still_serving()

    def test_request_with_wrong_content_types_gets_an_error_reply_and_does_not_break_the_kernel(self):
        self.shell.send_multipart(self.frames("complete_request", content=json.dumps({"code": 5, "cursor_pos": "x"}).encode()))
        self.assertEqual(self.shell.poll(ks.TIMEOUT * 1000), zmq.POLLIN)
        frames = self.shell.recv_multipart()
        split = frames.index(b"<IDS|MSG>")
        self.assertEqual(json.loads(frames[split + 2])["msg_type"], "complete_reply")
        content = json.loads(frames[split + 5])
        self.assertEqual((content["status"], content["ename"]), ("error", "BadRequest"))
        self.assertEqual(content["evalue"], "complete_request: content.code must be a string, got a number")
        self.assert_still_serving()

    def test_heartbeat_echoes(self):
        hb = self.ctx.socket(zmq.REQ)
        hb.connect(self.hb_address)
        try:
            hb.send(b"ping")
            self.assertEqual(hb.poll(ks.TIMEOUT * 1000), zmq.POLLIN)
            self.assertEqual(hb.recv(), b"ping")
        finally:
            hb.close(0)


class RejectionsAreLogged(unittest.TestCase):
    def test_stderr_names_the_rejection(self):
        log = tempfile.NamedTemporaryFile(mode="w+", suffix=".log")
        km, kc = ks.start(stderr=log)
        info = km.get_connection_info()
        ctx = zmq.Context()
        sock = ctx.socket(zmq.DEALER)
        sock.connect(f"tcp://{info['ip']}:{info['shell_port']}")
        sock.send_multipart([b"<IDS|MSG>", b"f" * 64, b"{}", b"{}", b"{}", b"{}"])
        time.sleep(0.5)
        kc.kernel_info()
        kc.get_shell_msg(timeout=ks.TIMEOUT)
        sock.close(0)
        ctx.term()
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        log.seek(0)
        stderr = log.read()
        self.assertIn("bad HMAC signature", stderr)


if __name__ == "__main__":
    unittest.main()
