from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from .versions import SEMVER, parse_semver

RELEASE_VERSION_PATTERN = rf"^{SEMVER}$"
version_validator = RegexValidator(
    RELEASE_VERSION_PATTERN, "Use a release version MAJOR.MINOR.PATCH, e.g. 1.0.0."
)


class ReleaseQuerySet(models.QuerySet):
    def latest_release(self):
        return self.order_by("-major", "-minor", "-patch").first()


class Release(models.Model):
    """A published, immutable version of the data package.

    The files live in ``RELEASES_DIR/<version>/`` and ``RELEASES_DIR/<version>.zip``;
    this row is their index. Releases are created only by ``publish_release``.
    """

    version = models.CharField(
        max_length=50,
        unique=True,
        validators=[version_validator],
        help_text="Semantic version MAJOR.MINOR.PATCH; names the same bytes forever.",
    )
    # The numeric parts, so that releases sort by semantic version in the database.
    major = models.PositiveIntegerField(editable=False)
    minor = models.PositiveIntegerField(editable=False)
    patch = models.PositiveIntegerField(editable=False)
    previous_version = models.CharField(
        max_length=50, blank=True, help_text="The release the changes are counted from."
    )
    created = models.DateTimeField(help_text="The package's 'created' (its release date).")
    published = models.DateTimeField(auto_now_add=True)
    notes = models.TextField(blank=True)
    zip_sha256 = models.CharField("zip SHA-256", max_length=64)
    descriptor_sha256 = models.CharField("datapackage.json SHA-256", max_length=64)
    row_counts = models.JSONField(default=dict, help_text="{resource: rows}")
    changes = models.JSONField(
        default=dict,
        help_text="{resource: {added: [keys], removed: [keys], modified: [keys]}} "
        "since the previous release.",
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-major", "-minor", "-patch"]
        get_latest_by = ["major", "minor", "patch"]
        constraints = [
            models.CheckConstraint(
                condition=Q(version__regex=RELEASE_VERSION_PATTERN), name="release_version_semver"
            ),
            models.UniqueConstraint(
                fields=["major", "minor", "patch"], name="release_version_parts_unique"
            ),
            models.CheckConstraint(
                condition=Q(zip_sha256__regex=r"^[0-9a-f]{64}$"), name="release_zip_sha256_hex"
            ),
        ]

    def __str__(self):
        return self.version

    def save(self, *args, **kwargs):
        self.major, self.minor, self.patch = parse_semver(self.version)
        super().save(*args, **kwargs)
