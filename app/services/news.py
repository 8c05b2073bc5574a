"""The coalition's news board: who may post, read, pin and hide, and the weekly digest.

The board exists so that members hear of one another's events, calls for help and trainings.
Every member's staff read every post that is not hidden, whoever wrote it; the public reads
only posts their authors marked public. A post speaks for its institution, so its staff (and
coordinators) may change or delete it; only coordinators pin or hide, because the board is
the coalition's and not one member's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.time import in_warsaw
from app.extensions import db
from app.models import EmailOptOut
from app.models import Institution
from app.models import Need
from app.models import NeedStatus
from app.models import NewsDigestSubscription
from app.models import NewsKind
from app.models import NewsPost
from app.models import Role
from app.models import User
from app.services import audit
from app.services.mail import queue_email
from app.services.permissions import managed_need_ids_query

DIGEST_KIND = "news_digest"
DIGEST_DAYS = 7
BOARD_LIMIT = 200
PUBLIC_LIMIT = 50
LINKABLE_NEEDS_LIMIT = 300


@dataclass(frozen=True)
class PostData:
    """What a staff member writes in a post; the form's fields, nothing more."""

    institution_id: int
    kind: NewsKind
    title: str
    body: str
    need_id: int | None
    event_url: str
    is_public: bool


def reads_board(user: User) -> bool:
    """Members' staff and coordinators (administrators included) read the board."""
    return user.is_authenticated and (user.is_staff or user.is_coordinator)


def may_edit(user: User, post: NewsPost) -> bool:
    """The staff of the institution the post speaks for, and coordinators."""
    if not user.is_authenticated:
        return False
    if user.is_coordinator:
        return True
    return user.is_staff and post.institution_id in user.institution_ids()


def may_read(user: User, post: NewsPost) -> bool:
    """A hidden post is for coordinators only; a public one for everyone; the rest for readers
    of the board."""
    if post.is_hidden:
        return user.is_authenticated and user.is_coordinator
    return post.is_public or reads_board(user)


def institutions_for(user: User) -> list[Institution]:
    """Where the person may post from: their own institutions; every member for coordinators."""
    query = select(Institution).where(Institution.is_active.is_(True)).order_by(Institution.name)
    if not user.is_coordinator:
        query = query.where(Institution.id.in_(user.institution_ids() or {-1}))
    return list(db.session.scalars(query))


def linkable_needs(user: User) -> list[Need]:
    """Published needs and events the person runs, which a post may point to."""
    return list(
        db.session.scalars(
            select(Need)
            .where(Need.status == NeedStatus.PUBLISHED, Need.id.in_(managed_need_ids_query(user)))
            .order_by(Need.title, Need.id)
            .limit(LINKABLE_NEEDS_LIMIT)
        )
    )


def _ordered(query):
    return query.options(selectinload(NewsPost.institution), selectinload(NewsPost.need)).order_by(
        NewsPost.is_pinned.desc(), NewsPost.created_at.desc(), NewsPost.id.desc()
    )


def board_posts(user: User) -> list[NewsPost]:
    """The board as the reader sees it: pinned posts first, then the newest; coordinators also
    see the hidden ones (marked), so that they can bring them back."""
    query = select(NewsPost)
    if not user.is_coordinator:
        query = query.where(NewsPost.is_hidden.is_(False))
    return list(db.session.scalars(_ordered(query).limit(BOARD_LIMIT)))


def public_posts(limit: int = PUBLIC_LIMIT) -> list[NewsPost]:
    query = select(NewsPost).where(NewsPost.is_public.is_(True), NewsPost.is_hidden.is_(False))
    return list(db.session.scalars(_ordered(query).limit(limit)))


def _fill(post: NewsPost, data: PostData) -> None:
    post.institution_id = data.institution_id
    post.kind = data.kind
    post.title = data.title
    post.body = data.body
    post.need_id = data.need_id
    post.event_url = data.event_url
    post.is_public = data.is_public


def create_post(actor: User, data: PostData) -> NewsPost:
    post = NewsPost(author_id=actor.id)
    _fill(post, data)
    db.session.add(post)
    db.session.flush()
    audit.record(actor, "news.posted", post, institution=data.institution_id, public=data.is_public)
    return post


def update_post(actor: User, post: NewsPost, data: PostData) -> None:
    _fill(post, data)
    audit.record(actor, "news.edited", post, public=data.is_public)


def delete_post(actor: User, post: NewsPost) -> None:
    audit.record(actor, "news.deleted", post, title=post.title)
    db.session.delete(post)


def set_pinned(actor: User, post: NewsPost, pinned: bool) -> None:
    post.is_pinned = pinned
    audit.record(actor, "news.pinned" if pinned else "news.unpinned", post)


def set_hidden(actor: User, post: NewsPost, hidden: bool) -> None:
    post.is_hidden = hidden
    audit.record(actor, "news.hidden" if hidden else "news.shown", post)


def is_subscribed(user: User) -> bool:
    return (
        db.session.scalar(
            select(NewsDigestSubscription.id).where(NewsDigestSubscription.user_id == user.id)
        )
        is not None
    )


def set_subscription(user: User, wanted: bool) -> None:
    """Ask for the weekly digest, or stop it. Asking again also undoes an earlier one-click
    unsubscribe from an e-mail: the person has just said what they want."""
    if wanted:
        if not is_subscribed(user):
            db.session.add(NewsDigestSubscription(user_id=user.id))
        db.session.execute(
            delete(EmailOptOut).where(
                EmailOptOut.user_id == user.id, EmailOptOut.kind == DIGEST_KIND
            )
        )
    else:
        db.session.execute(
            delete(NewsDigestSubscription).where(NewsDigestSubscription.user_id == user.id)
        )
    audit.record(user, "news.digest", user, wanted=wanted)


def _subscribers() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(NewsDigestSubscription, NewsDigestSubscription.user_id == User.id)
            .where(
                User.is_active_account.is_(True),
                User.email_confirmed_at.is_not(None),
                User.role.in_((Role.STAFF, Role.COORDINATOR, Role.ADMIN)),
            )
            .order_by(User.id)
        )
    )


def weekly_digests(now: datetime) -> dict[str, int]:
    """Queue, for each subscriber, the posts of the last seven days (none: no e-mail).

    The key names the person and the Warsaw week, so a job run twice in a week queues once."""
    posts = list(
        db.session.scalars(
            _ordered(
                select(NewsPost).where(
                    NewsPost.is_hidden.is_(False),
                    NewsPost.created_at >= now - timedelta(days=DIGEST_DAYS),
                    NewsPost.created_at < now,
                )
            )
        )
    )
    if not posts:
        return {"news_digests": 0}
    from app.core.urls import absolute_url

    year, week, _day = in_warsaw(now).isocalendar()
    items = [(post, absolute_url("news.detail", post_id=post.id)) for post in posts]
    board_url = absolute_url("news.board")
    queued = 0
    for user in _subscribers():
        message = queue_email(
            user.email,
            _l("Wiadomości z koalicji OKIK z ostatniego tygodnia"),
            "news_digest",
            user.locale,
            kind=DIGEST_KIND,
            recipient=user,
            dedup_key=f"news-digest:{user.id}:{year}-W{week:02d}",
            user=user,
            items=items,
            board_url=board_url,
        )
        queued += message is not None
    return {"news_digests": queued}
