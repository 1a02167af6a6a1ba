#!/usr/bin/env python3
"""Times ONNX Runtime (its Python package, the same C++ engine the Java binding loads) on the files of
export_onnx.py, with the settings OnnxRuntimeBenchmark uses: all graph optimisations, intra-op threads
as given, one inter-op thread. Prints one JSON object per model with the median and p90 in
milliseconds and the process's peak resident memory so far.

Run it with an interpreter that has onnxruntime (pip install onnxruntime), not Debian's, which has not:

    /usr/bin/python3 it-tests/scripts/export_onnx.py --batch 16 /tmp/onnx resnet50 ...
    python3 it-tests/scripts/bench_onnxruntime.py --threads 2 --batch 16 --dir /tmp/onnx resnet50 ...
"""
import argparse
import json
import os
import resource

import numpy as np
import onnxruntime as ort

from onnx_files import onnx_name
from timing import measure


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--dir", default="/tmp/onnx")
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    for name in args.names:
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(os.path.join(args.dir, onnx_name(name, args.batch)), options,
                                       providers=["CPUExecutionProvider"])
        x = {"input": np.random.default_rng(1).standard_normal((args.batch, 3, 224, 224), dtype=np.float32)}
        timed = measure(lambda: session.run(None, x), args.seconds)
        print(json.dumps({"model": name, "batch": args.batch, "threads": args.threads, **timed,
                          "peak_resident_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                          "onnxruntime": ort.__version__}), flush=True)


if __name__ == "__main__":
    main()
