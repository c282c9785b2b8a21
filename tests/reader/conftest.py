import pytest

from reader import reads


@pytest.fixture(autouse=True)
def _reads_fold_later(settings):
    """Keep the web process's own fold of read counts out of asserted query budgets (see reader.reads)."""
    settings.VETTED_READS_FLUSH_SECONDS = 300
    reads.postpone_local_fold()
