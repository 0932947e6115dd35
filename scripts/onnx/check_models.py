#!/usr/bin/python3
"""Checks ONNX model files with the official ONNX checker and prints their inputs and outputs.

Usage:  scripts/onnx/check_models.py FILE...

Runs onnx.checker.check_model(model, full_check=True) (which includes strict shape inference) on each file and prints
its IR and opset versions, producer, metadata, inputs and outputs. Exits 1 if any file fails, 2 if python3-onnx is
missing. Needs Debian's python3-onnx (apt-get install python3-onnx); it is not used by CI or the tests.

Sample files: the engine tests write the three preset models (fast, classic, best) when MLND_ONNX_EXPORT_DIR is set:

    MLND_ONNX_EXPORT_DIR=/tmp/mlnd-onnx dotnet test tests/MlNetDigits.Engine.Tests -c Release \\
        --filter "FullyQualifiedName~PresetModels_ReadBackWithTheirOutputs"
    scripts/onnx/check_models.py /tmp/mlnd-onnx/*.onnx
"""
import sys

try:
    import onnx
except ImportError:
    print("check_models.py needs the onnx Python package: apt-get install python3-onnx (and run it with /usr/bin/python3).",
          file=sys.stderr)
    sys.exit(2)


def describe(value):
    """'Image: float (N, 1, 28, 28)' for a tensor value."""
    kind = value.type.WhichOneof("value")
    if kind != "tensor_type":
        return f"{value.name}: {kind}"
    tensor = value.type.tensor_type
    element = onnx.TensorProto.DataType.Name(tensor.elem_type).lower()
    if not tensor.HasField("shape"):
        return f"{value.name}: {element} (unknown rank)"
    dims = [d.dim_param if d.HasField("dim_param") else str(d.dim_value) if d.HasField("dim_value") else "?"
            for d in tensor.shape.dim]
    return f"{value.name}: {element} ({', '.join(dims)})"


def check(path):
    """Checks one file and prints what it holds; returns True when the checker accepts it."""
    print(path)
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker raises several types; report each and go on to the next file
        print(f"  FAILED: {type(error).__name__}: {error}")
        return False
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    print(f"  checker: ok (full_check=True, onnx {onnx.__version__})")
    print(f"  IR version {model.ir_version}; opset {opsets}; producer {model.producer_name} {model.producer_version}")
    if model.metadata_props:
        print("  metadata: " + ", ".join(f"{p.key}={p.value}" for p in model.metadata_props))
    initializers = {i.name for i in model.graph.initializer}
    print(f"  nodes: {len(model.graph.node)} ({', '.join(sorted({n.op_type for n in model.graph.node}))}); "
          f"initializers: {len(initializers)}")
    for value in model.graph.input:
        if value.name not in initializers:
            print("  input   " + describe(value))
    for value in model.graph.output:
        print("  output  " + describe(value))
    return True


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    results = [check(path) for path in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
