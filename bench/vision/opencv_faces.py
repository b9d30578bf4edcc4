"""OpenCV Haar face detection on the same 1080p frame as the Rust bench.

usage: opencv_faces.py PHOTO ITERATIONS
"""

import statistics
import sys
import time

import cv2


def to_1080p(image):
    height, width = image.shape[:2]
    scale = max(1920 / width, 1080 / height)
    resized = cv2.resize(image, (int(-(-width * scale // 1)), int(-(-height * scale // 1))),
                         interpolation=cv2.INTER_LINEAR)
    top = (resized.shape[0] - 1080) // 2
    left = (resized.shape[1] - 1920) // 2
    return resized[top:top + 1080, left:left + 1920]


def main(photo, iterations):
    frame = to_1080p(cv2.imread(photo))
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        faces = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)
        times.append((time.perf_counter() - start) * 1000)
    print()
    print("| call | median ms | best ms | result |")
    print("|---|---|---|---|")
    print(f"| cv2 Haar detectMultiScale | {statistics.median(times):.1f} | {min(times):.1f} | {len(faces)} faces |")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
