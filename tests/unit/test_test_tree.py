"""The tests are laid out as the source, and no test file borrows from another.

A test file sits at tests/<kind>/<package path>/test_<name>.py, where <kind> is unit,
integration or e2e and <package path> is a package of the project (ranking/results/ is tested
in tests/integration/ranking/results/); tests of the project as a whole sit at the top of
their kind. What several test files share lives in a support module (tests/builders.py,
tests/factories.py, …), never in a test file: a test_*.py module is imported by pytest only.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
KINDS = ("unit", "integration", "e2e")


def every_python_file() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "__pycache__" not in path.parts)


def every_test_file() -> list[Path]:
    return [path for path in every_python_file() if path.name.startswith("test_")]


def module_of(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module an import statement of `path` may name, relative imports resolved."""
    package = module_of(path, root).split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            # `from tests.integration import test_jobs` names a module too.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_imports_a_test_file():
    test_modules = {module_of(path) for path in every_test_file()}
    borrowed = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & test_modules)
        for path in every_python_file()
    }

    assert {path: modules for path, modules in borrowed.items() if modules} == {}


def test_the_check_sees_every_form_of_import(tmp_path):
    """The import check above would pass on anything if it missed a form of import."""
    sample = tmp_path / "tests" / "integration" / "ranking" / "views" / "test_sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        "import tests.integration.test_a\n"
        "from tests.integration.test_b import build\n"
        "from tests.integration import test_c\n"
        "from .test_d import HTMX\n"
        "from .. import test_e\n"
        "from tests.builders import build_year\n"
    )

    assert imported_modules(sample, tmp_path) == {
        "tests.integration.test_a",
        "tests.integration.test_b",
        "tests.integration.test_c",
        "tests.integration.ranking.views.test_d",
        "tests.integration.ranking.test_e",
        "tests.integration.test_b.build",
        "tests.integration",
        "tests.integration.ranking.views.test_d.HTMX",
        "tests.integration.ranking",
        "tests.builders",
        "tests.builders.build_year",
    }


def test_every_test_file_sits_under_its_kind_in_a_package_of_the_source():
    misplaced = []
    for path in every_test_file():
        kind, *packages = path.relative_to(TESTS).parent.parts or ("",)
        source = ROOT.joinpath(*packages)
        if kind not in KINDS or (packages and not (source / "__init__.py").is_file()):
            misplaced.append(str(path.relative_to(ROOT)))

    assert misplaced == []


def test_every_folder_of_tests_is_a_package():
    """Without __init__.py, two test files of the same name in different folders collide."""
    folders = {path.parent for path in every_python_file()}

    assert sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").is_file()) == []
