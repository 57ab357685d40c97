"""All services of one process, built from its stores and config."""

from __future__ import annotations

from dataclasses import dataclass

from chatd.config import Config
from chatd.services.account_deletion import AccountDeletion
from chatd.services.account_export import AccountExport
from chatd.services.accounts import Accounts
from chatd.services.contacts import ContactService
from chatd.services.conversations import ConversationService
from chatd.services.export_limit import ExportLimiter
from chatd.services.features import Features
from chatd.services.key_backups import KeyBackups
from chatd.services.media.avatars import AvatarService
from chatd.services.media.decoder import Decoder
from chatd.services.media.janitor import Janitor
from chatd.services.media.screening import Screen
from chatd.services.media.service import MediaService
from chatd.services.messages import MessageService
from chatd.services.password_meter import PasswordMeter
from chatd.services.passwords import Passwords
from chatd.services.privacy_notice import PrivacyNotice, load_notice
from chatd.services.security_activity import SecurityActivity
from chatd.services.sync import SyncService
from chatd.storage.build import Stores


@dataclass
class Services:
    config: Config
    stores: Stores
    accounts: Accounts
    contacts: ContactService
    conversations: ConversationService
    messages: MessageService
    media: MediaService
    media_janitor: Janitor
    avatars: AvatarService
    sync: SyncService
    features: Features
    key_backups: KeyBackups
    privacy: PrivacyNotice
    password_meter: PasswordMeter
    account_export: AccountExport
    account_deletion: AccountDeletion
    activity: SecurityActivity
    decoder: Decoder  # the image decoder process, shared by media and avatars


def build_services(config: Config, stores: Stores, passwords: Passwords) -> Services:
    contacts = ContactService(stores.contacts, stores.users)
    screen = Screen(config, stores.scanner)
    decoder = Decoder(config.media.max_image_pixels)
    activity = SecurityActivity(stores.security_activity)
    features = Features(config, stores.flags, stores.users)
    conversations = ConversationService(config, stores.conversations, stores.users, stores.messages, contacts,
                                        features)
    accounts = Accounts(config, stores.users, stores.auth, stores.cache, stores.settings, stores.second_factors,
                        activity, passwords, stores.keys)
    messages = MessageService(config, stores.messages, stores.conversations, stores.counters, features,
                              stores.users)
    return Services(
        contacts=contacts,
        conversations=conversations,
        config=config,
        stores=stores,
        accounts=accounts,
        messages=messages,
        features=features,
        key_backups=KeyBackups(stores.key_backups),
        privacy=load_notice(config),
        password_meter=PasswordMeter(config, stores.counters),
        activity=activity,
        sync=SyncService(stores.events),
        media=MediaService(config, stores.attachments, stores.conversations, stores.blobs, stores.sealed_blobs,
                           screen, decoder),
        media_janitor=Janitor(config, stores.attachments, stores.blobs),
        account_export=AccountExport(stores.users, stores.auth, stores.contacts, stores.key_backups,
                                     stores.conversations, messages, stores.attachments, stores.second_factors,
                                     ExportLimiter(stores.counters, config.limits.exports_per_hour)),
        account_deletion=AccountDeletion(accounts, stores.users, stores.conversations),
        avatars=AvatarService(config, stores.users, conversations, stores.blobs, stores.sealed_blobs, screen,
                              decoder),
        decoder=decoder,
    )
