#!/usr/bin/python3
"""Reference fit of scikit-learn's SVC (LIBSVM inside) for the kernel SVM agreement tests.

Usage:
    sklearn_svc.py REQUEST.json     fit as the request says, write the result JSON it names
    sklearn_svc.py --self-test      check the pair-objective and sign conventions on analytic cases

Request (JSON):
    data_file        binary file, little-endian, no header:
                       train X  float32 [n_train, n_features] row-major
                       train y  int32   [n_train]
                       test X   float32 [n_test, n_features] row-major
    n_train, n_test, n_features
    result_file      where the result JSON is written (temporary name, then renamed)
    params           C, kernel ('rbf'|'poly'|'linear'|'sigmoid'), gamma (number | 'scale' | 'auto'),
                     degree, coef0, tol, shrinking, class_weight (null | 'balanced' | {"label": weight}),
                     probability, random_state (null | int), cache_size (MB), max_iter (-1 = no limit),
                     standardize (bool: fit sklearn's StandardScaler on train X, in float32, first)

The float32 values are handed to SVC unchanged; SVC converts them to float64, which is exact, so the
C# solver (float32 features, double arithmetic) and LIBSVM start from the same numbers.

Conventions of the result (all checked by --self-test and by the C# tests in SklearnSvcTests.cs):

* classes: sorted labels (sklearn sorts them; its LIBSVM copy is patched to keep that order).
* pairs: the k(k-1)/2 one-vs-one problems in LIBSVM's order (0,1),(0,2),...,(0,k-1),(1,2),...,(k-2,k-1),
  as indices into classes.  In pair (a,b) LIBSVM labels the rows of class a with y=+1 and of class b
  with y=-1, whatever k is.
* For each pair: rows (training row indices, ascending) and coefficients alpha_i*y_i of the rows whose
  alpha_i > 0 in that pair, rho, and the LIBSVM decision value
        d_ab(x) = sum_i coef_i K(x_i, x) - rho,   d_ab(x) > 0  =>  vote for class a.
* sklearn's own sign: internally (clf._dual_coef_, clf._intercept_) it stores LIBSVM's coefficients and
  intercept = -rho.  For a binary problem only, the public dual_coef_ and intercept_ are negated
  (public intercept_ = +rho, public dual_coef_ = -alpha*y), and decision_function returns -d_01, so that a
  positive value means classes[1].  For k > 2 decision_function('ovo') returns d_ab itself (positive
  means the first class of the pair).  The raw sklearn arrays are also returned (sklearn_*) for reference.
* dual_coef_ layout (sklearn, k > 2): shape (k-1, n_SV); the SVs are grouped by class (n_support per
  class, in class order); the coefficient of an SV of class a in pair (a,b) is in row b-1 and that of an
  SV of class b in pair (a,b) is in row a.  A zero there means the SV is not a support vector of that pair.
* pair objective: the LIBSVM dual objective of the pair problem,
        f(alpha) = 1/2 alpha^T Q alpha - e^T alpha,  Q_ij = y_i y_j K(x_i, x_j),
  which with c_i = alpha_i y_i is 1/2 c^T K c - sum |c_i|.  It is computed here in float64 from the
  coefficients and the kernel matrix of the pair's SVs; LIBSVM's own printed value ("obj = %f", six
  decimals) is captured too when probability is off (Platt scaling prints extra inner fits).
* gamma: the value LIBSVM used (clf._gamma; 'scale' is 1/(n_features * X.var()) over the float64 train X,
  'auto' is 1/n_features).
"""

import ctypes
import json
import os
import re
import sys
import tempfile
import time

import numpy as np


def kernel_matrix(a, b, kernel, gamma, degree, coef0):
    """K(a_i, b_j) in float64 with LIBSVM's kernel definitions."""
    dot = a @ b.T
    if kernel == "linear":
        return dot
    if kernel == "poly":
        return (gamma * dot + coef0) ** degree
    if kernel == "sigmoid":
        return np.tanh(gamma * dot + coef0)
    if kernel == "rbf":
        sq = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * dot
        return np.exp(-gamma * np.maximum(sq, 0.0))
    raise ValueError(f"unknown kernel {kernel!r}")


def pair_solutions(clf, x_train):
    """Per one-vs-one pair, in LIBSVM order: rows, alpha*y, rho, objective (see module docstring)."""
    k = len(clf.classes_)
    n_support = np.asarray(clf.n_support_, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(n_support)])
    dual = np.asarray(clf._dual_coef_)  # LIBSVM sign
    rho = -np.asarray(clf._intercept_)  # sklearn stores intercept = -rho internally
    support = np.asarray(clf.support_, dtype=np.int64)
    gamma = float(clf._gamma)
    result = []
    p = 0
    for a in range(k):
        for b in range(a + 1, k):
            ca = dual[b - 1, starts[a]:starts[a + 1]]
            cb = dual[a, starts[b]:starts[b + 1]]
            rows = np.concatenate([support[starts[a]:starts[a + 1]], support[starts[b]:starts[b + 1]]])
            coef = np.concatenate([ca, cb])
            keep = coef != 0.0
            rows, coef = rows[keep], coef[keep]
            order = np.argsort(rows, kind="stable")
            rows, coef = rows[order], coef[order]
            xs = x_train[rows]
            kmat = kernel_matrix(xs, xs, clf.kernel, gamma, clf.degree, clf.coef0)
            objective = 0.5 * float(coef @ kmat @ coef) - float(np.abs(coef).sum())
            result.append({
                "class_a": a, "class_b": b,
                "rows": rows.tolist(), "coef": coef.tolist(),
                "rho": float(rho[p]), "objective": objective,
            })
            p += 1
    return result


class CapturedStdout:
    """Redirects file descriptor 1 (LIBSVM prints with C stdio) into a temporary file."""

    def __enter__(self):
        self._libc = ctypes.CDLL(None)
        sys.stdout.flush()
        self._libc.fflush(None)
        self._saved = os.dup(1)
        self._file = tempfile.TemporaryFile(mode="w+b")
        os.dup2(self._file.fileno(), 1)
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        self._libc.fflush(None)
        os.dup2(self._saved, 1)
        os.close(self._saved)
        self._file.seek(0)
        self.text = self._file.read().decode("utf-8", "replace")
        self._file.close()
        return False


def fit(x_train, y_train, x_test, params):
    from sklearn import __version__ as sklearn_version
    from sklearn.svm import SVC
    from sklearn.utils.multiclass import _ovr_decision_function

    if params.get("standardize", False):
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler().fit(x_train)
        x_train = scaler.transform(x_train).astype(np.float32)
        x_test = scaler.transform(x_test).astype(np.float32)

    class_weight = params.get("class_weight")
    if isinstance(class_weight, dict):
        class_weight = {int(key): float(value) for key, value in class_weight.items()}
    gamma = params.get("gamma", "scale")
    if not isinstance(gamma, str):
        gamma = float(gamma)
    probability = bool(params.get("probability", False))

    clf = SVC(
        C=float(params.get("C", 1.0)),
        kernel=params.get("kernel", "rbf"),
        degree=int(params.get("degree", 3)),
        gamma=gamma,
        coef0=float(params.get("coef0", 0.0)),
        shrinking=bool(params.get("shrinking", True)),
        probability=probability,
        tol=float(params.get("tol", 1e-3)),
        cache_size=float(params.get("cache_size", 200.0)),
        class_weight=class_weight,
        verbose=True,
        max_iter=int(params.get("max_iter", -1)),
        decision_function_shape="ovo",
        break_ties=False,
        random_state=params.get("random_state"),
    )

    with CapturedStdout() as captured:
        start = time.perf_counter()
        clf.fit(x_train, y_train)
        fit_seconds = time.perf_counter() - start

    libsvm_objectives = None
    libsvm_rhos = None
    if not probability:
        matches = re.findall(r"obj = (\S+), rho = (\S+)", captured.text)
        libsvm_objectives = [float(m[0]) for m in matches]
        libsvm_rhos = [float(m[1]) for m in matches]

    x_train64 = x_train.astype(np.float64)
    pairs = pair_solutions(clf, x_train64)
    start = time.perf_counter()
    sklearn_ovo = clf.decision_function(x_test)  # decision_function_shape='ovo'
    if len(clf.classes_) == 2:
        pair_values = -sklearn_ovo.reshape(-1, 1)  # sklearn negates LIBSVM's d_01 for binary problems
        sklearn_ovr = sklearn_ovo
    else:
        pair_values = sklearn_ovo
        # Exactly what SVC.decision_function does for decision_function_shape='ovr' (sklearn 1.2, svm/_base.py),
        # without a second pass of kernel evaluations.
        sklearn_ovr = _ovr_decision_function(sklearn_ovo < 0, -sklearn_ovo, len(clf.classes_))
    predictions = clf.predict(x_test)
    probabilities = clf.predict_proba(x_test) if probability else None
    predict_seconds = time.perf_counter() - start

    result = {
        "sklearn_version": sklearn_version,
        "classes": [int(c) for c in clf.classes_],
        "n_support": [int(n) for n in clf.n_support_],
        "support": [int(i) for i in clf.support_],
        "sklearn_dual_coef": np.asarray(clf.dual_coef_).tolist(),
        "sklearn_intercept": np.asarray(clf.intercept_).tolist(),
        "pairs": pairs,
        "libsvm_objectives": libsvm_objectives,
        "libsvm_rhos": libsvm_rhos,
        "gamma": float(clf._gamma),
        "n_iter": [int(n) for n in np.atleast_1d(clf.n_iter_)],
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "predictions": [int(v) for v in predictions],
        "pair_decision": np.asarray(pair_values, dtype=np.float64).tolist(),
        "sklearn_decision_ovo": np.asarray(sklearn_ovo, dtype=np.float64).reshape(len(x_test), -1).tolist(),
        "sklearn_decision_ovr": np.asarray(sklearn_ovr, dtype=np.float64).reshape(len(x_test), -1).tolist(),
        "predict_proba": probabilities.tolist() if probability else None,
    }
    return result


def run_request(request_path):
    with open(request_path, "r", encoding="utf-8") as f:
        request = json.load(f)
    n_train, n_test, n_features = int(request["n_train"]), int(request["n_test"]), int(request["n_features"])
    raw = np.fromfile(request["data_file"], dtype=np.uint8)
    expected = 4 * (n_train * n_features + n_train + n_test * n_features)
    if raw.size != expected:
        raise ValueError(f"{request['data_file']}: {raw.size} bytes, expected {expected} "
                         f"for n_train={n_train}, n_test={n_test}, n_features={n_features}")
    offset = 0
    x_train = np.frombuffer(raw, dtype="<f4", count=n_train * n_features, offset=offset).reshape(n_train, n_features)
    offset += 4 * n_train * n_features
    y_train = np.frombuffer(raw, dtype="<i4", count=n_train, offset=offset).astype(np.int64)
    offset += 4 * n_train
    x_test = np.frombuffer(raw, dtype="<f4", count=n_test * n_features, offset=offset).reshape(n_test, n_features)

    result = fit(np.ascontiguousarray(x_train), y_train, np.ascontiguousarray(x_test), request["params"])

    target = request["result_file"]
    temporary = target + ".tmp" + str(os.getpid())
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(result, f, allow_nan=False)
    os.replace(temporary, target)


def self_test():
    """Analytic cases: two points at distance d (linear kernel, hard margin) have
    alpha = 2/d^2 on both, objective -2/d^2, w = alpha (x_a - x_b), rho = w.x_a - 1."""
    params = {"C": 100.0, "kernel": "linear", "tol": 1e-6}

    # Binary, labels deliberately unsorted in the data: classes = [2, 7], pair (2,7).
    x = np.array([[1.0, 0.0], [3.0, 0.0]], dtype=np.float32)
    y = np.array([7, 2])
    r = fit(x, y, np.array([[0.0, 0.0], [2.5, 1.0]], dtype=np.float32), params)
    assert r["classes"] == [2, 7], r["classes"]
    (p,) = r["pairs"]
    # class 2 (a, y=+1) is the row x=3; d=2: alpha=1/2, f=-1/2, w=(1,0), rho = 3 - 1 = 2
    assert p["rows"] == [0, 1], p
    assert np.allclose(p["coef"], [-0.5, 0.5], atol=1e-9), p
    assert abs(p["objective"] + 0.5) < 1e-9, p
    assert abs(p["rho"] - 2.0) < 1e-9, p
    assert abs(r["libsvm_objectives"][0] + 0.5) < 1e-6 and abs(r["libsvm_rhos"][0] - 2.0) < 1e-6, r
    assert np.allclose(r["sklearn_intercept"], [2.0]), r["sklearn_intercept"]  # binary: public = +rho
    assert np.allclose(np.ravel(r["pair_decision"]), [0 - 2, 2.5 - 2]), r["pair_decision"]
    assert np.allclose(np.ravel(r["sklearn_decision_ovo"]), [2, -0.5]), r["sklearn_decision_ovo"]
    assert r["predictions"] == [7, 2], r["predictions"]

    # Three classes on a line (1-D): A=0 at 0, B=1 at 2, C=2 at 6; every pair is a two-point problem.
    x = np.array([[6.0], [0.0], [2.0]], dtype=np.float32)
    y = np.array([2, 0, 1])
    r = fit(x, y, np.array([[0.5], [4.5]], dtype=np.float32), params)
    position = {0: 0.0, 1: 2.0, 2: 6.0}
    row_of = {2: 0, 0: 1, 1: 2}
    assert [(p["class_a"], p["class_b"]) for p in r["pairs"]] == [(0, 1), (0, 2), (1, 2)]
    for p, libsvm_obj, libsvm_rho in zip(r["pairs"], r["libsvm_objectives"], r["libsvm_rhos"]):
        a, b = p["class_a"], p["class_b"]
        d = position[a] - position[b]
        alpha = 2.0 / d ** 2
        w = alpha * d
        rho = w * position[a] - 1.0
        assert p["rows"] == sorted([row_of[a], row_of[b]]), p
        coef = dict(zip(p["rows"], p["coef"]))
        assert abs(coef[row_of[a]] - alpha) < 1e-9 and abs(coef[row_of[b]] + alpha) < 1e-9, (p, alpha)
        assert abs(p["objective"] + 2.0 / d ** 2) < 1e-9, p
        assert abs(p["rho"] - rho) < 1e-9, (p, rho)
        assert abs(libsvm_obj - p["objective"]) < 1e-6 and abs(libsvm_rho - rho) < 1e-6
    # k > 2: sklearn's ovo decision is LIBSVM's d_ab itself.
    assert np.allclose(r["pair_decision"], r["sklearn_decision_ovo"])
    assert r["predictions"] == [0, 2], r["predictions"]
    print("self-test passed")


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        self_test()
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    run_request(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
