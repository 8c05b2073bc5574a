"""Short updates that coalition members post for one another, and who wants them by e-mail."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.institutions import Institution
from app.models.needs import Need
from app.models.users import User


class NewsKind(enum.StrEnum):
    UPDATE = "update"
    EVENT = "event"
    CALL_FOR_HELP = "call_for_help"
    TRAINING = "training"


class NewsPost(Model):
    """One update on the coalition board. Members' staff read every post that is not hidden;
    the public (the public page and the Atom feed) reads only those marked public."""

    __tablename__ = "news_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[NewsKind] = mapped_column(
        Enum(
            NewsKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=NewsKind.UPDATE,
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # A need or event of the exchange the post is about, and an outside page about an event.
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="SET NULL"))
    event_url: Mapped[str] = mapped_column(String(500), default="")
    is_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    is_hidden: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution] = relationship()
    author: Mapped[User | None] = relationship()
    need: Mapped[Need | None] = relationship()


class NewsDigestSubscription(Model):
    """A person who asked for the weekly e-mail of the board's new posts (it is opt-in)."""

    __tablename__ = "news_digest_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), unique=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
