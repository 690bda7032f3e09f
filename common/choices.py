"""Controlled vocabularies carry a definition of every value, beside the values themselves.

``describe(Stance, {...})`` attaches ``Stance.descriptions``; the Table Schema, the OpenAPI
schema, the codebook page and each release's README read them from there.
"""

VOCABULARIES = []  # every described TextChoices class


def describe(choices, descriptions):
    """Attach ``descriptions`` ({value: definition}) to a TextChoices class; every value
    must be defined, and nothing else."""
    values = set(choices.values)
    given = {str(value) for value in descriptions}
    if given != values:
        missing, extra = sorted(values - given), sorted(given - values)
        raise ValueError(f"{choices.__name__}: undefined {missing}, unknown {extra}")
    choices.descriptions = {str(value): text for value, text in descriptions.items()}
    VOCABULARIES.append(choices)
    return choices


def value_definitions(field):
    """{value: definition} of a model field's vocabulary, or None for a field without one."""
    if not field.choices:
        return None
    values = {str(value) for value, _label in field.choices}
    for vocabulary in VOCABULARIES:
        if set(vocabulary.values) == values:
            return dict(vocabulary.descriptions)
    return None
