"""Checkpoints written by torch.save, for TorchCheckpointTests.cs.

usage: torch_checkpoints.py write DIR
  writes DIR/zip.pt (torch.save's zip format), DIR/legacy.pt (_use_new_zipfile_serialization=False),
  DIR/bigendian.pt (zip.pt with a 'byteorder' record 'big' and every storage byte-swapped, as a
  big-endian machine writes it with torch >= 2.1) and DIR/expected.json: for every tensor of the
  state dict its dtype, shape and values (flattened, row-major, as floats).
usage: torch_checkpoints.py unpickle FILE
  runs Python's own pickle.load on FILE (to show that a crafted payload is live).
"""
import collections
import json
import os
import pickle
import sys
import zipfile


def state_dict():
    g = torch.Generator().manual_seed(5)
    base = torch.randn(4, 6, generator=g)
    shared = torch.arange(10, dtype=torch.float32)
    d = collections.OrderedDict()
    d["f32"] = base
    d["f64"] = torch.randn(2, 3, generator=g, dtype=torch.float64)
    d["f16"] = torch.tensor([0, 1, -2, 3.5, 65504, -0.25], dtype=torch.float16).reshape(2, 3)
    d["bf16"] = torch.tensor([0, 1, -2, 3.5, 1e30, -0.25], dtype=torch.bfloat16).reshape(3, 2)
    d["i64"] = torch.tensor([0, 1, -2, 2**40, -(2**40)], dtype=torch.int64)
    d["i32"] = torch.tensor([[7, -8], [2**30, -(2**30)]], dtype=torch.int32)
    d["i16"] = torch.tensor([300, -300], dtype=torch.int16)
    d["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    d["u8"] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True])
    d["scalar"] = torch.tensor(7, dtype=torch.int64)
    d["empty"] = torch.zeros(0, 3)
    # Views of base: they share its storage, with offsets and strides that are not row-major.
    d["transposed"] = base.t()
    d["narrowed"] = base[1:3, 2:5]
    d["strided"] = base[::2, ::3]
    d["expanded"] = torch.randn(3, 1, generator=g).expand(3, 4)
    # Two names for one tensor, and a view of it: one storage, read once.
    d["shared_a"] = shared
    d["shared_b"] = shared
    d["shared_tail"] = shared[6:]
    d["param"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    return d


def checkpoint():
    sd = state_dict()
    optimizer = {"state": {0: {"momentum_buffer": torch.ones(2)}},
                 "param_groups": [{"lr": 0.05, "momentum": 0.9, "nesterov": False, "foreach": None, "params": [0, 1]}]}
    extra = {"list": [1, 2.5, "text", None, True, (1, "two")], "big": 2**70, "negative": -5, "bytes": b"\x00\xffab",
             "nested": {"k": [[]]}, "float": -1.5e-8}
    return {"epoch": 3, "arch": "us_cifar_resnet18", "state_dict": sd, "optimizer": optimizer, "extra": extra}


def expected(sd):
    out = {}
    for name, t in sd.items():
        t = t.detach()
        values = t.to(torch.float64).reshape(-1).tolist()
        out[name] = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "values": values}
    return out


def swap_to_big_endian(src, dst):
    """Rewrites a torch zip checkpoint as a big-endian writer would: byteorder 'big', storages byte-swapped."""
    sizes = element_sizes(src)
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as out:
        name = z.namelist()[0].split("/")[0]
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename.startswith(f"{name}/data/"):
                data = swap(data, sizes[info.filename.split("/")[-1]])
            out.writestr(info.filename, data)
        out.writestr(f"{name}/byteorder", "big")


def element_sizes(path):
    """The element size of every storage key, read from the pickle's persistent ids."""
    sizes = {}
    with zipfile.ZipFile(path) as z:
        name = z.namelist()[0].split("/")[0]

        class Probe(pickle.Unpickler):
            def persistent_load(self, pid):
                _, storage_type, key, _, numel = pid
                sizes[key] = storage_type(0).element_size()
                return storage_type(numel)

        Probe(z.open(f"{name}/data.pkl")).load()
    return sizes


def swap(data, size):
    if size == 1:
        return data
    return b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))


def write(folder):
    global torch
    import torch  # not at the top: `unpickle` must stay plain Python (and fast)

    ck = checkpoint()
    torch.save(ck, os.path.join(folder, "zip.pt"))
    torch.save(ck, os.path.join(folder, "legacy.pt"), _use_new_zipfile_serialization=False)
    swap_to_big_endian(os.path.join(folder, "zip.pt"), os.path.join(folder, "bigendian.pt"))
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected(ck["state_dict"]), f)


def main():
    if sys.argv[1] == "write":
        write(sys.argv[2])
    elif sys.argv[1] == "unpickle":
        with open(sys.argv[2], "rb") as f:
            pickle.load(f)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
