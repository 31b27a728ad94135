"""Build hook: compile the message catalogs (.po -> .mo) into the package when it is built,
so an installed wheel carries them; the .mo files are never committed. (An editable install
gets them from scripts/setup.sh: `python -m casework.i18n compile`.)"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path(__file__).parent.glob("casework/locale/*/LC_MESSAGES/*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogs})
