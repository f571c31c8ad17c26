#!/usr/bin/python3
"""Checks that PyTorch loads .pth files written by package pth.

    /usr/bin/python3 check_torch_load.py written_by_go.pth written_by_go.json

loads the file with torch.load(path, weights_only=True) and compares every key, dtype,
shape, value and the _metadata module versions with the JSON dump the Go test wrote
(go test ./nn/pth -run Golden -update writes both), then loads it once more without
weights_only. The fastgo records (fastgo/meta.json, fastgo/<group>.pkl) must be
ignored by torch. Exit status 0 and "OK" mean torch read exactly what Go wrote.
"""
import json
import sys

import torch

from gen_pth import dump


def main():
    pth, want_json = sys.argv[1], sys.argv[2]
    sd = torch.load(pth, weights_only=True)
    assert type(sd).__name__ == "OrderedDict", type(sd)
    dump(sd, "/tmp/_check_torch_load.json")
    got = json.load(open("/tmp/_check_torch_load.json"))
    want = json.load(open(want_json))
    if "versions" not in want or want["versions"] is None:
        want.pop("versions", None)
    if got != want:
        for g, w in zip(got["entries"], want["entries"]):
            if g != w:
                print("first difference:\n got", g, "\nwant", w)
                break
        print("versions", got.get("versions"), want.get("versions"))
        sys.exit(1)
    full = torch.load(pth)
    assert list(full.keys()) == list(sd.keys())
    print("OK: torch %s loaded %d tensors from %s with weights_only=True, values identical"
          % (torch.__version__, len(sd), pth))


if __name__ == "__main__":
    main()
