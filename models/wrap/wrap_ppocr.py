"""Adapt PaddleOCR PP-OCR ONNX graphs to the I/O contract of the `ocrs` engine.

Run by models/prepare with the pinned `onnx` from models/wrap/requirements.txt.

ocrs 0.13.1 feeds every model a 1-channel NCHW float tensor holding
`grey - 0.5` (black = -0.5, white = +0.5) and expects:

* detection: input `[1, 1, H, W]`, output `[1, 1, H, W]` text probability. H and
  W stay free (multiples of 32): rxflow runs the detector itself, on the parts of
  the page that hold ink, rather than through ocrs' fixed-size letterbox;
* recognition: input `[batch, 1, 48, width]`, output `[seq, batch, classes]`
  log-probabilities, class 0 = CTC blank, class i = alphabet[i - 1].

PP-OCR graphs take 3-channel input (detector: ImageNet mean/std on x/255;
recogniser: (x/255 - 0.5) / 0.5) and the recogniser emits `[batch, seq, classes]`
softmax probabilities over blank + dictionary + a trailing space class.

The wrapper only adds pre/post-processing nodes and slices the final classifier;
no trained weight is changed.

    wrap_ppocr.py det SRC DST
    wrap_ppocr.py rec SRC DST --alphabet-out FILE [--dictionary-out FILE] [--keep ascii|all]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])
INPUT_NAME = "ocrs_grey"
# Printable ASCII, space to tilde: everything an English prescription needs.
PRINTABLE_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
# Added before Log so that a probability that underflowed to 0 gives a large
# negative log-probability instead of -inf.
LOG_EPSILON = 1e-10


class WrapError(Exception):
    pass


def _const(graph: onnx.GraphProto, name: str, value: np.ndarray) -> str:
    graph.initializer.append(numpy_helper.from_array(value, name))
    return name


def _set_shape(vi: onnx.ValueInfoProto, dims: list[int | str]) -> None:
    shape = vi.type.tensor_type.shape
    del shape.dim[:]
    for d in dims:
        dim = shape.dim.add()
        if isinstance(d, int):
            dim.dim_value = d
        else:
            dim.dim_param = d


def _prepend(graph: onnx.GraphProto, dims: list[int | str], nodes: list[onnx.NodeProto]) -> None:
    """Replace the single graph input by a grey `[N,1,H,W]` input feeding `nodes`;
    the last node's output takes the old input's name, so the original graph is
    untouched."""
    if len(graph.input) != 1:
        raise WrapError(f"expected one graph input, found {len(graph.input)}")
    old = graph.input[0]
    if old.type.tensor_type.shape.dim[1].dim_value != 3:
        raise WrapError(f"expected a 3-channel input, found {old.type.tensor_type.shape}")
    nodes[-1].output[0] = old.name
    graph.input.remove(old)
    graph.input.append(helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, dims))
    for i, node in enumerate(nodes):
        graph.node.insert(i, node)


def wrap_detector(src: str, dst: str) -> None:
    model = onnx.load(src)
    g = model.graph
    # PP-OCR wants (x - mean) / std per channel, x = grey in [0, 1]; ocrs gives
    # v = grey - 0.5, so (v + 0.5 - mean) / std = v * scale + bias. The [1,3,1,1]
    # constants broadcast the single grey channel to three.
    scale = (1.0 / IMAGENET_STD).reshape(1, 3, 1, 1).astype(np.float32)
    bias = ((0.5 - IMAGENET_MEAN) / IMAGENET_STD).reshape(1, 3, 1, 1).astype(np.float32)
    _prepend(g, [1, 1, "height", "width"], [
        helper.make_node("Mul", [INPUT_NAME, _const(g, "ocrs_det_scale", scale)], ["ocrs_det_scaled"],
                         name="ocrs_det_scale"),
        helper.make_node("Add", ["ocrs_det_scaled", _const(g, "ocrs_det_bias", bias)], ["_"],
                         name="ocrs_det_bias"),
    ])
    if len(g.output) != 1:
        raise WrapError(f"expected one detector output, found {len(g.output)}")
    _set_shape(g.output[0], [1, 1, "height", "width"])
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, dst)
    print(f"det: input [1,1,height,width] -> {dst}")


def read_dictionary(model: onnx.ModelProto) -> list[str]:
    meta = {p.key: p.value for p in model.metadata_props}
    if "character" not in meta:
        raise WrapError("recogniser has no 'character' metadata (dictionary)")
    chars = [c.rstrip("\r") for c in meta["character"].split("\n")]
    if chars and chars[-1] == "":
        chars.pop()
    bad = [c for c in chars if len(c) != 1]
    if bad:
        raise WrapError(f"dictionary entries that are not one character: {bad[:5]}")
    return chars


def _classifier(g: onnx.GraphProto) -> tuple[onnx.NodeProto, onnx.NodeProto, onnx.NodeProto]:
    """Return the (MatMul, Add, Softmax) nodes that end the recogniser."""
    producer = {out: n for n in g.node for out in n.output}
    softmax = producer[g.output[0].name]
    if softmax.op_type != "Softmax":
        raise WrapError(f"recogniser output is made by {softmax.op_type}, expected Softmax")
    node = producer[softmax.input[0]]
    while node.op_type == "Identity":
        node = producer[node.input[0]]
    if node.op_type != "Add":
        raise WrapError(f"expected the classifier bias Add before Softmax, found {node.op_type}")
    matmul = producer[node.input[0]]
    if matmul.op_type != "MatMul":
        raise WrapError(f"expected the classifier MatMul, found {matmul.op_type}")
    return matmul, node, softmax


def prune_classes(g: onnx.GraphProto, alphabet: str, keep: str) -> str:
    """Slice the classifier to CTC blank + the classes whose character is in
    `keep`. Softmax then normalises over the kept classes only; greedy decoding
    is identical to masking the others out, and the output shrinks from ~18.7k
    to ~100 classes."""
    kept = [0] + [i + 1 for i, ch in enumerate(alphabet) if ch in keep]
    index = np.array(kept, dtype=np.int64)
    inits = {t.name: t for t in g.initializer}
    matmul, add, _ = _classifier(g)
    for node, pos, axis in ((matmul, 1, 1), (add, 1, 0)):
        name = node.input[pos]
        if name not in inits:
            raise WrapError(f"classifier parameter {name} is not a constant")
        sliced = np.take(numpy_helper.to_array(inits[name]), index, axis=axis)
        node.input[pos] = _const(g, name + "_ocrs_pruned", np.ascontiguousarray(sliced))
    # Shape annotations still carry the old class count; runtimes re-infer them.
    del g.value_info[:]
    used = {i for n in g.node for i in n.input}
    for t in [t for t in g.initializer if t.name not in used]:
        g.initializer.remove(t)
    return "".join(alphabet[i - 1] for i in kept[1:])


def wrap_recogniser(src: str, dst: str, alphabet_out: str, dictionary_out: str | None, keep: str | None) -> None:
    model = onnx.load(src)
    g = model.graph
    dictionary = read_dictionary(model)
    if dictionary_out:
        with open(dictionary_out, "w", encoding="utf-8") as f:
            f.write("\n".join(dictionary) + "\n")
    # PP-OCR (use_space_char) appends the space class after the dictionary.
    alphabet = "".join(dictionary) + " "
    n_classes = g.output[0].type.tensor_type.shape.dim[2].dim_value
    if n_classes != len(alphabet) + 1:
        raise WrapError(f"recogniser has {n_classes} classes, dictionary implies {len(alphabet) + 1}")
    if keep is not None:
        alphabet = prune_classes(g, alphabet, keep)
    if len(set(alphabet)) != len(alphabet):
        raise WrapError("alphabet has duplicate characters")
    if not alphabet.endswith(" "):
        raise WrapError("alphabet must end with the space class")
    height = g.input[0].type.tensor_type.shape.dim[2].dim_value or 48
    # (x - 0.5) / 0.5 with x = grey in [0, 1] is 2 * (grey - 0.5) = 2 * v.
    _prepend(g, ["batch", 1, height, "width"], [
        helper.make_node("Mul", [INPUT_NAME, _const(g, "ocrs_rec_scale", np.full((1, 3, 1, 1), 2.0, np.float32))],
                         ["_"], name="ocrs_rec_scale"),
    ])
    probs = g.output[0]
    g.output.remove(probs)
    eps = _const(g, "ocrs_rec_epsilon", np.array([LOG_EPSILON], np.float32))
    g.node.extend([
        helper.make_node("Transpose", [probs.name], ["ocrs_rec_sbc"], perm=[1, 0, 2], name="ocrs_rec_to_seq_major"),
        helper.make_node("Add", ["ocrs_rec_sbc", eps], ["ocrs_rec_sbc_eps"], name="ocrs_rec_epsilon"),
        helper.make_node("Log", ["ocrs_rec_sbc_eps"], ["ocrs_log_probs"], name="ocrs_rec_log"),
    ])
    g.output.append(helper.make_tensor_value_info(
        "ocrs_log_probs", TensorProto.FLOAT, ["seq", "batch", len(alphabet) + 1]))
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, dst)
    # The file content is the alphabet itself, class 1 first: no trailing newline.
    with open(alphabet_out, "w", encoding="utf-8") as f:
        f.write(alphabet)
    print(f"rec: input [batch,1,{height},width], {len(alphabet) + 1} classes "
          f"(blank + {len(alphabet)} chars) -> {dst}")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="kind", required=True)
    det = sub.add_parser("det", help="wrap a PP-OCR text detector")
    det.add_argument("src")
    det.add_argument("dst")
    rec = sub.add_parser("rec", help="wrap a PP-OCR text recogniser")
    rec.add_argument("src")
    rec.add_argument("dst")
    rec.add_argument("--alphabet-out", required=True)
    rec.add_argument("--dictionary-out", help="write the full upstream dictionary, one character a line")
    rec.add_argument("--keep", choices=["ascii", "all"], default="ascii",
                     help="classes to keep besides blank (default: printable ASCII)")
    args = ap.parse_args(argv)
    try:
        if args.kind == "det":
            wrap_detector(args.src, args.dst)
        else:
            keep = PRINTABLE_ASCII if args.keep == "ascii" else None
            wrap_recogniser(args.src, args.dst, args.alphabet_out, args.dictionary_out, keep)
    except WrapError as e:
        print(f"wrap_ppocr: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
