"""Every worked example in notebooks/ runs clean, so none can rot."""

from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell


def test_the_worked_examples_are_all_there():
    # A renamed or lost notebook would otherwise just drop out of the parametrised test above.
    names = {p.stem for p in NOTEBOOKS}
    expected = {"1_evaluation_two_years", "2_extending_to_three_years", "3_matching_lalonde", "4_concentration",
                "5_sickleave", "6_settling_the_contract", "7_social_investment"}
    assert expected <= names, f"missing notebooks: {sorted(expected - names)}"
