"""Load term catalogues, rule directories and proposals into checked domain objects.

Each file goes YAML -> `Document` (data and positions, `yamlfile`) -> spec model (its shape,
`specs`, validated in `validate`) -> domain model (`models`: values typed against the catalogue
in `values`, conditions parsed in `conditions`, cross-references checked). The parts:

- `fence`: which files may be read (inside the repository, regular files, printable names);
- `terms`: the catalogue; `rules`: rule sets and implications; `proposals`: drafts, variants
  and the folders that stand for them.

Every problem found on the way is collected with its file:line:col and raised together as one
`InputError`.
"""

from .fence import bundled_dir
from .proposals import expand_proposal_paths, load_proposal, load_proposals
from .rules import load_rules
from .terms import load_terms

__all__ = [
    "bundled_dir",
    "expand_proposal_paths",
    "load_proposal",
    "load_proposals",
    "load_rules",
    "load_terms",
]
