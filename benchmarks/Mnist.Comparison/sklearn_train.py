#!/usr/bin/env python3
"""The scikit-learn side of the comparison runner: the seed project's pipeline on the same HDF5 file.

Fits a scaler (StandardScaler by default, MinMaxScaler or none), optionally PCA, and SVC, RandomForestClassifier, ExtraTreesClassifier, SGDClassifier or the VotingClassifier of
the first three (the seed's models, n_jobs=-1 as the seed ran them) on the first N training rows, predicts the test
rows and prints one JSON object with the same fields as `mnist train --json`.
"""
import argparse
import json
import resource
import sys
import time

import h5py
import numpy as np
import sklearn
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier, VotingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.svm import SVC


def gamma_value(text):
    if text in ("scale", "auto"):
        return text
    return float(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-d", "--dataset", default="data.h5")
    parser.add_argument("-M", "--model", default="svm", choices=["svm", "forest", "extra", "sgd", "voting"])
    parser.add_argument("-C", "--regularization", type=float, default=8.0)
    parser.add_argument("-G", "--gamma", type=gamma_value, default="auto")
    parser.add_argument("--kernel", default="rbf")
    parser.add_argument("-E", "--estimators", type=int, default=100)
    parser.add_argument("-D", "--max_depth", type=int, default=None)
    parser.add_argument("--criterion", default="gini", choices=["gini", "entropy", "log_loss"])
    parser.add_argument("--class-weight", default=None, choices=["balanced", "balanced_subsample"])
    parser.add_argument("-L", "--loss", default="hinge")
    parser.add_argument("-P", "--penalty", default="l2")
    parser.add_argument("-A", "--alpha", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=1000, help="SGDClassifier's max_iter")
    parser.add_argument("--average", type=int, default=0, help="SGDClassifier's average (1: True)")
    parser.add_argument("--voting", default="hard", choices=["hard", "soft"])
    parser.add_argument("--scaler", default="standard", choices=["standard", "minmax", "none"])
    parser.add_argument("--pca", type=int, default=None, help="PCA(n_components, svd_solver='full') after the scaler")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=0)
    parser.add_argument("-V", "--validation", action="store_true")
    parser.add_argument("-g", "--gridsearch", action="store_true",
                        help="GridSearchCV(n_jobs=-1, cv=5) over the grid `mnist train -g` searches, then refit")
    parser.add_argument("--scoring", default="accuracy", help="with -g: GridSearchCV's scoring (mnist train --scoring)")
    args = parser.parse_args()

    with h5py.File(args.dataset, "r") as f:
        x_train = f["X_train"][:]
        y_train = f["y_train"][:]
        test_x, test_y = ("X_val", "y_val") if args.validation else ("X_test", "y_test")
        x_test = f[test_x][:]
        y_test = f[test_y][:]
    if args.train_size > 0:
        x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]

    def svm(probability=False):
        return SVC(C=args.regularization, gamma=args.gamma, kernel=args.kernel, probability=probability,
                   random_state=args.seed)

    def forest(kind):
        return kind(n_estimators=args.estimators, max_depth=args.max_depth, criterion=args.criterion,
                    class_weight=args.class_weight, n_jobs=-1, random_state=args.seed)

    if args.model == "svm":
        classifier = svm()
    elif args.model == "forest":
        classifier = forest(RandomForestClassifier)
    elif args.model == "extra":
        classifier = forest(ExtraTreesClassifier)
    elif args.model == "sgd":
        classifier = SGDClassifier(loss=args.loss, penalty=args.penalty, alpha=args.alpha, max_iter=args.max_iter,
                                   average=True if args.average == 1 else args.average, n_jobs=-1,
                                   random_state=args.seed)
    else:
        members = [("svm", svm(args.voting == "soft")), ("forest", forest(RandomForestClassifier)),
                   ("extra", forest(ExtraTreesClassifier))]
        classifier = VotingClassifier(members, voting=args.voting, n_jobs=-1)
    scaler = {"standard": StandardScaler(), "minmax": MinMaxScaler(), "none": "passthrough"}[args.scaler]
    steps = [("scaler", scaler)]
    if args.pca is not None:
        steps.append(("pca", PCA(n_components=args.pca, svd_solver="full")))
    model = Pipeline(steps + [("clf", classifier)])
    search = None
    if args.gridsearch:
        grids = {
            "svm": {"clf__C": [1.0, 2.0, 4.0, 8.0], "clf__gamma": ["scale", "auto"], "clf__kernel": ["rbf"]},
            "forest": {"clf__max_depth": [16, 32, None], "clf__n_estimators": [50, 100]},
            "extra": {"clf__max_depth": [16, 32, None], "clf__n_estimators": [50, 100]},
            "sgd": {"clf__alpha": [1e-4, 1e-3], "clf__loss": ["hinge", "log_loss", "modified_huber"],
                    "clf__penalty": ["l1", "l2"]},
        }
        search = GridSearchCV(model, grids[args.model], n_jobs=-1, cv=5, scoring=args.scoring)
    start = time.perf_counter()
    if search is not None:
        search.fit(x_train, y_train)
        search_seconds = time.perf_counter() - start - search.refit_time_
        model = search.best_estimator_
    else:
        model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(x_test)
    predict_seconds = time.perf_counter() - start
    fitted = model.named_steps["clf"]
    result = {
        "library": "scikit-learn " + sklearn.__version__,
        "model": args.model,
        "n_train": int(x_train.shape[0]),
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "accuracy": float(np.mean(predicted == y_test)),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }
    if search is not None:
        result["search_seconds"] = search_seconds
        result["best_score"] = float(search.best_score_)
        result["best_params"] = {k.replace("clf__", ""): v for k, v in search.best_params_.items()}
    if args.model == "svm":
        result["n_support"] = int(fitted.support_.size)
    elif args.model == "sgd":
        result["n_iter"] = int(fitted.n_iter_)
    elif args.model in ("forest", "extra"):
        result["n_nodes"] = int(sum(tree.tree_.node_count for tree in fitted.estimators_))
        result["max_depth_reached"] = int(max(tree.tree_.max_depth for tree in fitted.estimators_))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
