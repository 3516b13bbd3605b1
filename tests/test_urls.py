"""Links between pages are relative (``site/urls.py``): the same as POSIX relpath gives."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from cio_forum_site.site.urls import relative_path, relative_url

SEGMENT = st.sampled_from(["articles", "a", "b", "index.html", "第1回", ".", "..", ""])
PATH = st.lists(SEGMENT, max_size=5).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=2000, deadline=None)
@given(PATH, PATH)
def test_the_relative_path_is_posix_relpath(path, start):
    assert relative_path(path, start) == posixpath.relpath(path, start)


def test_a_page_links_to_another_folder_and_to_its_own():
    assert relative_url("/municipalities/kiyose/", "/articles/a/") == "../../municipalities/kiyose/"
    assert relative_url("/articles/a/", "/articles/a/") == "./"
    assert relative_url("/feed.xml", "/articles/a/", True) == "../../feed.xml"
    assert relative_url("/articles/", "/", True) == "articles/index.html"
