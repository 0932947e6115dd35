"""scikit-learn's multinomial LogisticRegression (lbfgs, C=1) on MNIST, the reference for the SDCA benchmark.

Usage: /usr/bin/python3 sklearn_logreg.py DATA_DIR
Prints accuracy, log_loss (mean -ln p(true class), p clipped at 1e-15, as ML.NET) and train_seconds as key=value lines.
"""
import gzip
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression


def read_idx(path):
    """An IDX file (raw, or path + '.gz') as a numpy array."""
    if os.path.exists(path):
        data = open(path, "rb").read()
    else:
        data = gzip.open(path + ".gz", "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "data/mnist"
    x_train = read_idx(os.path.join(folder, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float64) / 255
    y_train = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    x_test = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float64) / 255
    y_test = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"))

    model = LogisticRegression(solver="lbfgs", C=1.0, multi_class="multinomial")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        model.fit(x_train, y_train)
    seconds = time.perf_counter() - start

    p = model.predict_proba(x_test)
    accuracy = float(np.mean(model.classes_[p.argmax(axis=1)] == y_test))
    log_loss = float(np.mean(-np.log(np.maximum(p[np.arange(len(y_test)), y_test], 1e-15))))
    print(f"accuracy={accuracy:.4f}")
    print(f"log_loss={log_loss:.4f}")
    print(f"train_seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
