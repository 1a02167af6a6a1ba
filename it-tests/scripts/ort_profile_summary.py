#!/usr/bin/env python3
"""ONNX Runtime's profile (OnnxRuntimeBenchmark with -Donnx.profile=DIR) as median milliseconds per node.

Prints each node's median over the profiled runs (the first two left out as warm-up when there are more
than four), slowest first, then the total per operator type, to set beside `fovea bench M --profile --layers N`.
ONNX Runtime names a node after its output; after its NCHWc rewrite a convolution is named after the
activation fused into it (`/layer1/layer1.0/relu/Relu_output_0_nchwc` is torchvision's layer1.0.conv1).

    python3 it-tests/scripts/ort_profile_summary.py /tmp/ort-profile/resnet50-b16_*.json
"""
import collections
import json
import sys


def main(path):
    try:
        with open(path) as f:
            events = json.load(f)
    except OSError as e:
        sys.exit(f"{path}: cannot read it ({e.strerror})")
    except ValueError:
        sys.exit(f"{path}: not a JSON file")
    durations = collections.defaultdict(list)
    operators = {}
    for e in events:
        if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            node = e["name"][: -len("_kernel_time")]
            durations[node].append(e["dur"])
            operators[node] = e.get("args", {}).get("op_name", "?")
    if not durations:
        sys.exit(f"{path}: no node timings in this file; was it written by ONNX Runtime's profiler?")
    medians = {}
    for node, runs in durations.items():
        kept = sorted(runs[2:] if len(runs) > 4 else runs)
        medians[node] = kept[len(kept) // 2] / 1000.0
    for node, ms in sorted(medians.items(), key=lambda item: -item[1]):
        print(f"{ms:9.3f} ms  {operators[node]:<20} {node}")
    per_type = collections.defaultdict(float)
    for node, ms in medians.items():
        per_type[operators[node]] += ms
    print()
    for op, ms in sorted(per_type.items(), key=lambda item: -item[1]):
        print(f"{ms:9.3f} ms  {op}")
    print(f"{sum(medians.values()):9.3f} ms  all nodes")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ort_profile_summary.py PROFILE.json")
    main(sys.argv[1])
