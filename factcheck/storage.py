"""Static files storage for production: whitenoise's compressed manifest storage that also
rewrites the relative imports of the annotate page's ES modules (annotations/annotate/) to
their hashed names, so that a new deploy never mixes old and new modules in a browser."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModuleManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    # Django's switch (off by default): `import … from "./x.js";` and `export … from` in
    # *.js files are rewritten like url() in CSS.
    support_js_module_import_aggregation = True
