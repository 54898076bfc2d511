#!/usr/bin/env python3
"""Checks that a merged scale-out search equals the local one: mnist train --json outputs and model files.

usage: compare-search.py MERGED_OUTPUT LOCAL_OUTPUT MERGED_MODEL LOCAL_MODEL

The JSON summaries (the last line of each output) must agree on best_score, best_params, accuracy and n_support; the
model files must be equal byte for byte except the SVM's fit time (int64 ticks, 24 bytes before the end of its training
report, which the translation ends: docs/model-format.md, svm payload version 3) and the SHA-256 checksum over the body
(the last 32 bytes).
"""
import json
import struct
import sys

merged_out, local_out, merged_model, local_model = sys.argv[1:5]


def summary(path):
    with open(path) as f:
        return json.loads(f.read().rstrip("\n").split("\n")[-1])


merged, local = summary(merged_out), summary(local_out)
problems = [f"{key}: merged {merged.get(key)!r}, local {local.get(key)!r}"
            for key in ("best_score", "best_params", "accuracy", "n_support") if merged.get(key) != local.get(key)]

def translation_bytes(body):
    """The length of the SVM payload's last field: bool false (1 byte), or bool true, int32 d, d floats."""
    for d in range(1, (len(body) - 5) // 4 + 1):
        start = len(body) - 5 - 4 * d
        if body[start] == 1 and struct.unpack_from("<i", body, start + 1)[0] == d:
            return 5 + 4 * d
    if body[-1] != 0:
        raise SystemExit("the model does not end with an SVM's translation field")
    return 1


a, b = open(merged_model, "rb").read(), open(local_model, "rb").read()
if len(a) != len(b):
    problems.append(f"model files: {len(a)} and {len(b)} bytes")
else:
    end = len(a) - 32
    report_end = end - translation_bytes(a[:end])
    fit_time = range(report_end - 24, report_end - 16)
    differ = [i for i in range(end) if a[i] != b[i] and i not in fit_time]
    if differ:
        problems.append(f"model files differ at {len(differ)} byte(s), first at {differ[0]} of {len(a)}")

if problems:
    print("merged and local searches differ:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"merged = local: best_score {merged['best_score']}, best_params {json.dumps(merged['best_params'])}, "
      f"accuracy {merged['accuracy']}, n_support {merged['n_support']}, model files equal but the fit time")
