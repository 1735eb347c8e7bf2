"""Peer baseline for the conv nets: ONNX Runtime's own quantize_static (QDQ, per-channel int8 weights, uint8
activations, MinMax) on mnist-8, the PP-OCRv4 recognizer and the PP-OCR direction classifier, calibrated on exactly the
rows our evaluation hands the engine (the calib.npy files `eval` writes). Run where Python, numpy, onnx and onnxruntime
are installed:
    python3 ort_peer_conv.py <in-dir> <out-dir>
<in-dir> holds mnist-8.onnx, ch_PP-OCRv4_rec_infer.onnx, ch_ppocr_mobile_v2.0_cls_infer.onnx and mnist-calib.npy,
rec-calib.npy, cls-calib.npy. <out-dir> receives mnist-qdq_minmax_pc.onnx, ocr-rec-qdq_minmax_pc.onnx,
ocr-cls-qdq_minmax_pc.onnx and peer.json (the peer's own timings on its machine, for reference); `eval --peer-dir
<out-dir>` then evaluates the peer's models beside ours, on one machine, in one run."""
import json, os, sys, time
import numpy as np, onnx, onnx.version_converter, onnxruntime as ort
from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process

IN, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
res = {"onnxruntime": ort.__version__, "onnx": onnx.__version__}


class Rows(CalibrationDataReader):
    """Each calibration row as a batch of one, in file order (as the engine reads an .npy)."""
    def __init__(self, name, rows): self.it = iter([{name: r[None]} for r in rows])
    def get_next(self): return next(self.it, None)


def session(path, threads=1):
    so = ort.SessionOptions(); so.intra_op_num_threads = threads; so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def latency_ms(path, feed, reps=30):
    s = session(path)
    for _ in range(3): s.run(None, feed)
    t = time.perf_counter()
    for _ in range(reps): s.run(None, feed)
    return 1000 * (time.perf_counter() - t) / reps


def ops_run(path):
    """Node types in the graph ORT runs after its fusions (optimized model saved at the default level)."""
    so = ort.SessionOptions(); so.optimized_model_filepath = path + ".opt.onnx"
    ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    m = onnx.load(so.optimized_model_filepath); os.remove(so.optimized_model_filepath)
    counts = {}
    for n in m.graph.node: counts[n.op_type] = counts.get(n.op_type, 0) + 1
    return dict(sorted(counts.items()))


for section, model, calib, out in [("mnist-8", "mnist-8.onnx", "mnist-calib.npy", "mnist-qdq_minmax_pc.onnx"),
                                   ("ppocrv4-rec", "ch_PP-OCRv4_rec_infer.onnx", "rec-calib.npy", "ocr-rec-qdq_minmax_pc.onnx"),
                                   ("ppocrv4-cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", "cls-calib.npy", "ocr-cls-qdq_minmax_pc.onnx")]:
    src, dst = f"{IN}/{model}", f"{OUT}/{out}"
    rows = np.load(f"{IN}/{calib}").astype(np.float32)
    name = session(src).get_inputs()[0].name
    r = {"calibration_rows": int(rows.shape[0])}
    # ORT's quantizer rejects the fixtures' own opsets (rec/cls 9, mnist-8 8); raise them to 13 first, as our engine does.
    m = onnx.load(src)
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), 0)
    r["source_opset"] = opset
    if opset < 13:
        try:
            conv = f"{OUT}/{section}-opset13.onnx"
            onnx.save(onnx.version_converter.convert_version(m, 13), conv); src = conv
        except Exception as e:
            r["opset_conversion"] = f"{type(e).__name__}: {str(e)[:160]}"
    pre = f"{OUT}/{section}-pre.onnx"
    try:
        quant_pre_process(src, pre); r["pre_process"] = "ok"
    except Exception as e:  # the peer's pre-processing is optional; say when it could not run
        pre = src; r["pre_process"] = f"{type(e).__name__}: {str(e)[:160]}"
    t = time.perf_counter()
    try:
        quantize_static(pre, dst, Rows(name, rows), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)
        feed = {name: rows[:1]}
        r.update(quantize_s=round(time.perf_counter() - t, 2), bytes=os.path.getsize(dst), fp32_bytes=os.path.getsize(src),
                 fp32_ms_1thread=round(latency_ms(src, feed), 3), peer_ms_1thread=round(latency_ms(dst, feed), 3), ops=json.dumps(ops_run(dst)))
    except Exception as e:
        r["error"] = f"{type(e).__name__}: {str(e)[:300]}"
    if pre != src and os.path.exists(pre): os.remove(pre)
    if src.endswith("-opset13.onnx"): os.remove(src)
    res[section] = {"qdq_minmax_pc": r}
    print(section, json.dumps(r), flush=True)

json.dump(res, open(f"{OUT}/peer.json", "w"), indent=1)
