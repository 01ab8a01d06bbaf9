import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (AsyncClient waits with asyncio.sleep)."""
    return "asyncio"
