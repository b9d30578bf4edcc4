"""Reference pipelines for bench/media/run.sh, in Pillow and OpenCV.

Same steps as crates/vitrine-media/examples/bench_pipeline.rs: decode a JPEG, gaussian-blur
the 300x300 region at (800, 390) with sigma 8, resize to 512 px wide, encode JPEG q85.
Prints the best per-thread CPU time (ms) of each stage and of the whole pipeline as JSON.

Usage: python pipeline.py pillow|opencv <photo.jpg> [iterations] [output.jpg]
"""

import io
import json
import sys
import time

X, Y, SIDE, SIGMA, WIDTH, QUALITY = 800, 390, 300, 8, 512, 85


def pillow(data):
    from PIL import Image, ImageFilter

    t0 = time.thread_time_ns()
    image = Image.open(io.BytesIO(data))
    image.load()
    t1 = time.thread_time_ns()
    box = (X, Y, X + SIDE, Y + SIDE)
    image.paste(image.crop(box).filter(ImageFilter.GaussianBlur(SIGMA)), box)
    t2 = time.thread_time_ns()
    height = image.height * WIDTH // image.width
    small = image.resize((WIDTH, height), Image.LANCZOS)
    t3 = time.thread_time_ns()
    out = io.BytesIO()
    small.save(out, "JPEG", quality=QUALITY)
    t4 = time.thread_time_ns()
    return [t0, t1, t2, t3, t4], out.getvalue()


def opencv(data):
    import cv2
    import numpy as np

    t0 = time.thread_time_ns()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    t1 = time.thread_time_ns()
    roi = image[Y : Y + SIDE, X : X + SIDE]
    image[Y : Y + SIDE, X : X + SIDE] = cv2.GaussianBlur(roi, (6 * SIGMA + 1, 6 * SIGMA + 1), SIGMA)
    t2 = time.thread_time_ns()
    height = image.shape[0] * WIDTH // image.shape[1]
    small = cv2.resize(image, (WIDTH, height), interpolation=cv2.INTER_AREA)
    t3 = time.thread_time_ns()
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
    t4 = time.thread_time_ns()
    assert ok
    return [t0, t1, t2, t3, t4], encoded.tobytes()


def main():
    name, path = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    run = {"pillow": pillow, "opencv": opencv}[name]
    if name == "opencv":
        import cv2

        cv2.setNumThreads(1)
    data = open(path, "rb").read()
    best = [float("inf")] * 5
    for _ in range(iterations):
        t, encoded = run(data)
        stages = [t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3], t[4] - t[0]]
        best = [min(b, s / 1e6) for b, s in zip(best, stages)]
    if len(sys.argv) > 4:
        open(sys.argv[4], "wb").write(encoded)
    keys = ["decode", "blur", "resize", "encode", "total"]
    result = {"impl": name, **{k: round(v, 3) for k, v in zip(keys, best)}, "bytes": len(encoded)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
