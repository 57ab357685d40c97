"""Every HTTP/WebSocket route handler of the app, by capability."""

from chatd.api.admin import ADMIN_ROUTES
from chatd.api.admin_gate import guard_admin_routes
from chatd.api.attachments import ATTACHMENT_ROUTES
from chatd.api.auth import AUTH_ROUTES
from chatd.api.avatars import AVATAR_ROUTES
from chatd.api.contacts import CONTACT_ROUTES
from chatd.api.conversations import CONVERSATION_ROUTES
from chatd.api.declared_errors import declare_errors
from chatd.api.features import FEATURE_ROUTES
from chatd.api.graphql import GRAPHQL_ROUTES
from chatd.api.health import healthz, readyz
from chatd.api.key_backup import KEY_BACKUP_ROUTES
from chatd.api.me import ME_ROUTES
from chatd.api.me_data import ME_DATA_ROUTES
from chatd.api.me_sessions import SESSION_ROUTES
from chatd.api.security_activity import SECURITY_ACTIVITY_ROUTES
from chatd.api.messages import MESSAGE_ROUTES
from chatd.api.password_meter import PASSWORD_METER_ROUTES
from chatd.api.privacy import PRIVACY_ROUTES
from chatd.api.metrics import metrics
from chatd.api.options import options_routes
from chatd.api.search import SEARCH_ROUTES
from chatd.api.second_factor import SECOND_FACTOR_ROUTES
from chatd.api.security_keys import SECURITY_KEY_ROUTES
from chatd.api.security import PUBLIC_PATHS
from chatd.api.sync import SYNC_ROUTES
from chatd.api.users import USER_ROUTES
from chatd.api.ws import WS_ROUTES

_HANDLERS: list = [
    healthz,
    readyz,
    metrics,
    *AUTH_ROUTES,
    *PASSWORD_METER_ROUTES,
    *PRIVACY_ROUTES,
    *ME_ROUTES,
    *ME_DATA_ROUTES,
    *SESSION_ROUTES,
    *SECOND_FACTOR_ROUTES,
    *SECURITY_KEY_ROUTES,
    *SECURITY_ACTIVITY_ROUTES,
    *KEY_BACKUP_ROUTES,
    *USER_ROUTES,
    *CONTACT_ROUTES,
    *CONVERSATION_ROUTES,
    *MESSAGE_ROUTES,
    *ATTACHMENT_ROUTES,
    *AVATAR_ROUTES,
    *SEARCH_ROUTES,
    *ADMIN_ROUTES,
    *FEATURE_ROUTES,
    *GRAPHQL_ROUTES,
    *SYNC_ROUTES,
    *WS_ROUTES,
]

declare_errors(_HANDLERS, PUBLIC_PATHS)
guard_admin_routes(_HANDLERS)
# The OPTIONS handlers first: they must be each path's first registration.
ROUTES: list = [*options_routes(_HANDLERS), *_HANDLERS]
