"""Where export_onnx.py writes a model and bench_onnxruntime.py reads it (no torch needed to import)."""


def onnx_name(name, batch):
    """<name>.onnx for a batch of 1, <name>-b<batch>.onnx for another fixed batch."""
    return name + ".onnx" if batch == 1 else "%s-b%d.onnx" % (name, batch)
