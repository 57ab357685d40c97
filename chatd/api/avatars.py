"""Avatars: PUT an image (multipart, field `file`) to set one, DELETE to
remove it, GET to show it. A person's avatar is for every signed-in user; a
group's for its members (its owner and admins change it)."""

from __future__ import annotations

from litestar import Request, Response, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath

from chatd.api.blob_response import serve_blob
from chatd.api.conversation_bodies import ConversationView
from chatd.api.conversations import with_etag
from chatd.api.form_file import FormFile, boundary_of
from chatd.api.media_openapi import DOWNLOAD_ANSWERS, UPLOAD_ERRORS, FileUpload
from chatd.api.security import Me
from chatd.domain import User
from chatd.services.registry import Services

AVATAR_BODY_MAX = 17 * 1024 * 1024


async def _image(request: Request) -> FormFile:
    form = FormFile(request.stream(), boundary_of(request.headers.get("content-type")))
    await form.open()
    return form


@put("/api/v1/me/avatar", tags=["me"], request_max_body_size=AVATAR_BODY_MAX, operation_class=FileUpload,
     responses=UPLOAD_ERRORS)
async def put_my_avatar(request: Request, me: Me, services: NamedDependency[Services]) -> User:
    """Set your avatar from an image (cropped to a 256 px square; nothing else of it is kept)."""
    form = await _image(request)
    return await services.avatars.set_mine(me, form.chunks())


@delete("/api/v1/me/avatar", tags=["me"], status_code=200)
async def delete_my_avatar(me: Me, services: NamedDependency[Services]) -> User:
    return await services.avatars.clear_mine(me)


@get("/api/v1/users/{user_id:str}/avatar", tags=["users"], responses=DOWNLOAD_ANSWERS, media_type="image/webp")
async def user_avatar(request: Request, user_id: FromPath[str], services: NamedDependency[Services],
                      me: Me) -> Response:
    """A person's avatar (WebP); 404 `avatar_not_found` when they have none."""
    return await serve_blob(request, services.media, await services.avatars.of_user(user_id))


@put("/api/v1/conversations/{conversation_id:str}/avatar", tags=["conversations"],
     request_max_body_size=AVATAR_BODY_MAX, operation_class=FileUpload, responses=UPLOAD_ERRORS)
async def put_group_avatar(request: Request, conversation_id: FromPath[str], me: Me,
                           services: NamedDependency[Services]) -> Response[ConversationView]:
    """Set a group's avatar (owner/admin)."""
    form = await _image(request)
    await services.avatars.set_group(me.id, conversation_id, form.chunks())
    return with_etag(await services.conversations.overview(me.id, conversation_id))


@delete("/api/v1/conversations/{conversation_id:str}/avatar", tags=["conversations"], status_code=200)
async def delete_group_avatar(conversation_id: FromPath[str], me: Me,
                              services: NamedDependency[Services]) -> Response[ConversationView]:
    await services.avatars.clear_group(me.id, conversation_id)
    return with_etag(await services.conversations.overview(me.id, conversation_id))


@get("/api/v1/conversations/{conversation_id:str}/avatar", tags=["conversations"], responses=DOWNLOAD_ANSWERS,
     media_type="image/webp")
async def group_avatar(request: Request, conversation_id: FromPath[str], me: Me,
                       services: NamedDependency[Services]) -> Response:
    return await serve_blob(request, services.media, await services.avatars.of_group(me.id, conversation_id))


AVATAR_ROUTES = [put_my_avatar, delete_my_avatar, user_avatar, put_group_avatar, delete_group_avatar, group_avatar]
