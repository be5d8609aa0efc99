"""The hooks of .pre-commit-hooks.yaml, installed with pre-commit into a fresh git repository.

This repository is the hook repository, cloned at a commit that holds the working
tree's .pre-commit-hooks.yaml, so the hooks' ids, entries and file patterns are the
published ones. One thing is overridden, the language: a ``language: python`` hook
makes pre-commit build a virtualenv and ``pip install`` the hook repository, which
needs the network for the build backend and every dependency. The test runs offline
with ``language: unsupported`` (pre-commit's name for "run the entry as it is"), and
the ``cleaner`` command found on PATH is the one installed from this checkout.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from .helpers import ROOT, RULES, USER_SITE_CAPTURE, USER_SITE_RULES

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) \
    or shutil.which("pre-commit")
pytestmark = pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None,
                                reason="needs git and pre-commit (the dev extra)")
BAD_RULE = RULES / "sites" / "memri.org.toml"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=_env(cwd))
    return done.stdout.strip()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    bin_dir = str(Path(sys.executable).parent)
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", HOME=str(home),
               PRE_COMMIT_HOME=str(home / ".cache-pre-commit"), GIT_AUTHOR_NAME="Test",
               GIT_AUTHOR_EMAIL="test@example.com", GIT_COMMITTER_NAME="Test",
               GIT_COMMITTER_EMAIL="test@example.com", GIT_CONFIG_NOSYSTEM="1")
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """A clone of this repository whose last commit has the working tree's hooks file."""
    home = tmp_path_factory.mktemp("home")
    clone = home / "hooks"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(clone)], check=True,
                   env=_env(home))
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", clone / ".pre-commit-hooks.yaml")
    git(clone, "add", ".pre-commit-hooks.yaml")
    if git(clone, "status", "--porcelain"):
        git(clone, "commit", "-q", "-m", "hooks as in the working tree")
    return clone, git(clone, "rev-parse", "HEAD")


@pytest.fixture
def project(tmp_path, hook_repo) -> Path:
    """A repository of rules and data with the hooks installed, as a user would have it."""
    clone, rev = hook_repo
    repo = tmp_path / "project"
    (repo / "rules" / "sites").mkdir(parents=True)
    (repo / "clean").mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {clone}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: cleaner-check\n"
        "        args: [--rules, rules]\n"
        "        language: unsupported\n"
        "      - id: cleaner-lint\n"
        "        files: ^clean/\n"
        "        language: unsupported\n", encoding="utf-8")
    shutil.copy(BAD_RULE, repo / "rules" / "sites" / BAD_RULE.name)
    (repo / "clean" / "a.txt").write_text("Headline\n\nThe article text.\n", encoding="utf-8")
    git(repo, "add", "-A")
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, check=True, capture_output=True,
                   env=_env(tmp_path))
    return repo


def commit(repo: Path, message: str) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A")
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=_env(repo.parent))


def test_good_commit_is_accepted(project):
    done = commit(project, "rules and clean data")
    assert done.returncode == 0, done.stdout
    assert "cleaner check" in done.stdout and "Passed" in done.stdout


def test_broken_rule_file_is_refused(project):
    assert commit(project, "first").returncode == 0
    rule = project / "rules" / "sites" / BAD_RULE.name
    rule.write_text(rule.read_text(encoding="utf-8").replace(
        'action = "drop-block"', 'action = "drop-blocks"', 1), encoding="utf-8")
    done = commit(project, "a typo in an action")
    assert done.returncode != 0
    assert "cleaner check" in done.stdout and "Failed" in done.stdout
    assert "unknown action 'drop-blocks'" in done.stdout
    assert git(project, "rev-list", "--count", "HEAD") == "1"


def test_boilerplate_in_clean_data_is_refused(project):
    assert commit(project, "first").returncode == 0
    (project / "clean" / "b.txt").write_text("Headline\n\nThe text.\n\nAdvertisement\n",
                                             encoding="utf-8")
    done = commit(project, "data with an advert label")
    assert done.returncode != 0
    assert "clean/b.txt:5: en-ad:label: ad: 'Advertisement'" in done.stdout
    (project / "clean" / "b.txt").write_text("Headline\n\nThe text.\n", encoding="utf-8")
    assert commit(project, "data, cleaned").returncode == 0


# --- the README's block, in a repository of one site file, a seed and its golden ----------

README_PATH = "/path/to/cleaner"  # the line of the README's block a user fills in
SITE_FILE, SEED = USER_SITE_RULES, USER_SITE_CAPTURE


def readme_hooks_block() -> str:
    """The ``.pre-commit-config.yaml`` the README's Pre-commit section shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Pre-commit"):]
    block = section[section.index("```yaml\n") + len("```yaml\n"):]
    return block[:block.index("```\n")]


def test_readme_block_names_the_release_tag():
    config = yaml.safe_load(readme_hooks_block())
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["repos"][0]["rev"] == f"v{version['project']['version']}"
    assert config["repos"][0]["repo"] == README_PATH


@pytest.fixture
def user_project(tmp_path, hook_repo) -> Path:
    """Another repository, with the README's block: one site file, a seed and its golden."""
    clone, _ = hook_repo
    config = yaml.safe_load(readme_hooks_block())
    (repo_entry,) = config["repos"]
    # a fresh clone may lack the tag: the release is tagged in the hooks' clone
    git(clone, "tag", "-f", repo_entry["rev"])
    repo_entry["repo"] = str(clone)
    for hook in repo_entry["hooks"]:
        hook["language"] = "unsupported"  # offline: the cleaner on PATH (module docstring)
    repo = tmp_path / "news"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (repo / "cleaner.toml").write_text('rules = ["rules"]\n', encoding="utf-8")
    (repo / "rules" / "sites").mkdir(parents=True)
    (repo / "rules" / "sites" / "example.org.toml").write_text(SITE_FILE, encoding="utf-8")
    (repo / "seeds").mkdir()
    (repo / "seeds" / "park.txt").write_text(SEED, encoding="utf-8")
    (repo / "seeds" / "urls.tsv").write_text("park.txt\thttps://example.org/park\n",
                                             encoding="utf-8")
    (repo / "golden").mkdir()
    done = subprocess.run(["cleaner", "check", "--update"], cwd=repo, capture_output=True,
                          text=True, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    git(repo, "add", "-A")
    return repo


def run_all(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PRE_COMMIT, "run", "--all-files"], cwd=repo, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=_env(repo.parent))


def test_readme_block_checks_a_users_rules_seeds_and_goldens(user_project):
    golden = user_project / "golden" / "park.txt"
    text = golden.read_text(encoding="utf-8")
    assert text.startswith("Council backs new park\n")      # the shipped generic rules
    assert "Example Org footer line" not in text            # and the user's site file
    done = run_all(user_project)
    assert done.returncode == 0, done.stdout
    assert "cleaner check" in done.stdout and "Passed" in done.stdout

    golden.write_text(text + "A line the seed does not give.\n", encoding="utf-8")
    done = run_all(user_project)
    assert done.returncode != 0
    assert "Failed" in done.stdout
    assert "golden/park.txt: seed park.txt differs from its golden" in done.stdout
