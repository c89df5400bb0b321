"""Label placement: overlapping boxes moved apart, free ones left at their points."""

from __future__ import annotations

import numpy as np

from wordnet_lm.vectors import plot
from wordnet_lm.vectors.labels import overlap_area, spread_labels


def brute_overlap(corners, sizes):
    total = 0.0
    for i in range(len(corners)):
        for j in range(i + 1, len(corners)):
            w = min(corners[i, 0] + sizes[i, 0], corners[j, 0] + sizes[j, 0]) - max(corners[i, 0], corners[j, 0])
            h = min(corners[i, 1] + sizes[i, 1], corners[j, 1] + sizes[j, 1]) - max(corners[i, 1], corners[j, 1])
            total += max(w, 0) * max(h, 0)
    return total


def clustered(n, seed=0, spread=60.0):
    rng = np.random.default_rng(seed)
    anchors = rng.normal(400, spread, (n, 2))
    sizes = np.column_stack([rng.uniform(20, 60, n), np.full(n, 10.0)])
    return anchors, sizes


def test_overlap_area_equals_a_pairwise_loop():
    anchors, sizes = clustered(25, spread=20)
    assert np.isclose(overlap_area(anchors, sizes), brute_overlap(anchors, sizes))
    assert overlap_area(np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([[10.0, 5.0], [3.0, 5.0]])) == 0.0


def test_labels_apart_stay_at_their_points():
    anchors = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    sizes = np.full((3, 2), 20.0)
    np.testing.assert_array_equal(spread_labels(anchors, sizes, offset=(2, 3)), anchors + [2, 3])


def test_crowded_labels_are_spread_near_their_points():
    anchors, sizes = clustered(60)
    before = overlap_area(anchors + 2, sizes)
    corners = spread_labels(anchors, sizes, bounds=(0, 0, 800, 800))
    assert overlap_area(corners, sizes) < 0.01 * before
    assert np.median(np.linalg.norm(corners - (anchors + 2), axis=1)) < 30  # still beside their points
    np.testing.assert_array_equal(corners, spread_labels(anchors, sizes, bounds=(0, 0, 800, 800)))


def test_coincident_labels_are_split_and_bounds_hold():
    anchors = np.zeros((4, 2)) + 5
    sizes = np.full((4, 2), 10.0)
    corners = spread_labels(anchors, sizes, bounds=(0, 0, 60, 60))
    assert overlap_area(corners, sizes) == 0.0
    assert corners.min() >= 0 and np.all(corners + sizes <= 60)


def test_a_map_draws_coincident_words_apart(tmp_path):
    fig, ax = plot._figure(5)
    points = np.array([[0.0, 0.0], [0.0, 0.0], [0.001, 0.0], [5.0, 5.0], [-5.0, 3.0]])
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    ax.scatter(points[:, 0], points[:, 1])
    plot._finish(ax)
    plot._draw_labels(fig, ax, points, words, 9.0, ["black"] * 5)
    renderer = fig.canvas.get_renderer()
    boxes = np.array([[e.x0, e.y0, e.width, e.height] for e in (t.get_window_extent(renderer) for t in ax.texts)])
    assert overlap_area(boxes[:, :2], boxes[:, 2:]) == 0.0
    assert len(ax.collections[-1].get_segments()) >= 2  # moved labels get a line to their point
