from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The HTML pages for people.

    Not named ``site``: that is Python's own ``site`` module (imported at interpreter
    start-up to set up ``sys.path``), so ``import site`` finds it and Django cannot load an
    app of that name; hence ``pages``.
    """

    name = "pages"
    verbose_name = "Pages for people"
