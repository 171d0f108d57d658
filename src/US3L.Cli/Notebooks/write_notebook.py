"""Writes an executed notebook and its HTML page, for `us3l notebook run`.

run_notebook.py writes through write_outputs. With --static-figures the CLI changes the executed
notebook (figures drawn as PNG images) and then runs this script on the result: it is validated
as nbformat 4 first, so a notebook Jupyter could not open is an error rather than a written file.

Exit codes: 0 written; 1 the notebook is not valid nbformat 4 (nothing written).
"""
import argparse
import sys

import nbformat


def write_outputs(nb, output=None, html=None):
    """The notebook with nbformat's writer, and the page nbconvert renders from it."""
    if output:
        nbformat.write(nb, output)
    if html:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(nb)
        with open(html, "w", encoding="utf-8") as f:
            f.write(body)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("notebook", help="the notebook to validate and write")
    p.add_argument("--output", help="write the notebook here")
    p.add_argument("--html", help="write the notebook as HTML here")
    args = p.parse_args()
    nb = nbformat.read(args.notebook, as_version=4)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as e:
        print(f"{args.notebook} is not a valid nbformat 4 notebook: {e}", file=sys.stderr)
        return 1
    write_outputs(nb, args.output, args.html)
    return 0


if __name__ == "__main__":
    sys.exit(main())
