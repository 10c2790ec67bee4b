"""Evidence bundles of documents (permission `search`, audited under the caller's case)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from . import _audited
from ._context import Principal, Services
from ._deps import require, services

__all__ = ["router"]

# Included before the search router: its `/documents/{doc_id:path}` would swallow `/evidence`.
router = APIRouter(prefix="/api", tags=["search"])
Analyst = Annotated[Principal, Depends(require("search", case=True))]
Svc = Annotated[Services, Depends(services)]


@router.get("/documents/{doc_id:path}/evidence", response_class=FileResponse,
            summary="The evidence bundle (zip) of one document: WARC records, custody log, manifest",
            responses={200: {"content": {"application/zip": {}}}})
def evidence(doc_id: str, who: Analyst, svc: Svc) -> FileResponse:
    result = _audited.evidence(svc, who, doc_id)
    return FileResponse(result.path, media_type="application/zip", filename=result.path.name,
                        headers={"X-Manifest-Digest": result.manifest_sha256})
