"""The news board: members' staff post and read, coordinators pin and hide, the public reads
what was marked public, on a page and in an Atom feed."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import coordinator_required
from app.auth.access import roles_required
from app.extensions import db
from app.extensions import login_manager
from app.models import NewsPost
from app.models import Role
from app.models.base import utcnow
from app.news.blueprint import bp
from app.news.forms import ButtonForm
from app.news.forms import DigestForm
from app.news.forms import PostForm
from app.news.forms import SwitchForm
from app.services import news

board_required = roles_required(Role.STAFF, Role.COORDINATOR)


def _post(post_id: int) -> NewsPost:
    return db.session.get(NewsPost, post_id) or abort(404)


def _editable(post_id: int) -> NewsPost:
    post = _post(post_id)
    if not news.may_edit(current_user, post):
        abort(403)
    return post


def _form_page(form: PostForm, post: NewsPost | None = None):
    """The post form; 422 when it came back with errors."""
    page = render_template("news/form.html", form=form, post=post)
    return page, 422 if form.errors else 200


def _offered(form: PostForm, post: NewsPost | None = None) -> PostForm:
    """The form with its lists; a post keeps the need it links even if no longer offered."""
    needs = news.linkable_needs(current_user)
    if post is not None and post.need is not None and post.need not in needs:
        needs.append(post.need)
    form.offer(news.institutions_for(current_user), needs)
    return form


@bp.get("/")
@board_required
def board():
    """Show the coalition's board to members' staff and coordinators."""
    return render_template(
        "news/board.html",
        posts=news.board_posts(current_user),
        digest_form=DigestForm(wanted=news.is_subscribed(current_user)),
        may_edit=news.may_edit,
    )


@bp.route("/new", methods=["GET", "POST"])
@board_required
def new_post():
    """Write a post for the board in the name of one's institution."""
    form = _offered(PostForm())
    if not form.validate_on_submit():
        return _form_page(form)
    post = news.create_post(current_user, form.post_data())
    db.session.commit()
    flash(_("Wiadomość opublikowana na tablicy koalicji."), "success")
    return redirect(url_for("news.detail", post_id=post.id), 303)


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@board_required
def edit_post(post_id: int):
    """Change a post of one's own institution."""
    post = _editable(post_id)
    form = _offered(PostForm(obj=post), post)
    if not form.validate_on_submit():
        return _form_page(form, post)
    news.update_post(current_user, post, form.post_data())
    db.session.commit()
    flash(_("Zapisano zmiany wiadomości."), "success")
    return redirect(url_for("news.detail", post_id=post.id), 303)


@bp.post("/<int:post_id>/delete")
@board_required
def delete_post(post_id: int):
    """Delete a post of one's own institution."""
    post = _editable(post_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    news.delete_post(current_user, post)
    db.session.commit()
    flash(_("Wiadomość usunięta."), "success")
    return redirect(url_for("news.board"), 303)


def _switch(post_id: int) -> tuple[NewsPost, bool]:
    post = _post(post_id)
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    return post, form.wanted


@bp.post("/<int:post_id>/pin")
@coordinator_required
def pin_post(post_id: int):
    """Pin a post to the top of the board, or unpin it."""
    post, wanted = _switch(post_id)
    news.set_pinned(current_user, post, wanted)
    db.session.commit()
    flash(_("Wiadomość przypięta.") if wanted else _("Wiadomość odpięta."), "success")
    return redirect(url_for("news.board"), 303)


@bp.post("/<int:post_id>/hide")
@coordinator_required
def hide_post(post_id: int):
    """Hide a post from the board and the public, or show it again."""
    post, wanted = _switch(post_id)
    news.set_hidden(current_user, post, wanted)
    db.session.commit()
    flash(_("Wiadomość ukryta.") if wanted else _("Wiadomość znów widoczna."), "success")
    return redirect(url_for("news.board"), 303)


@bp.get("/<int:post_id>")
def detail(post_id: int):
    """Show one post: public ones to everyone, the rest to members' staff."""
    post = _post(post_id)
    if not news.may_read(current_user, post):
        if post.is_hidden:
            abort(404)
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(403)
    return render_template(
        "news/detail.html", post=post, may_edit=news.may_edit(current_user, post)
    )


@bp.post("/digest")
@board_required
def digest():
    """Ask for the weekly e-mail of new posts, or stop it."""
    form = DigestForm()
    if not form.validate_on_submit():
        abort(400)
    news.set_subscription(current_user, bool(form.wanted.data))
    db.session.commit()
    flash(
        _("Co tydzień wyślemy Ci e-mail z nowymi wiadomościami.")
        if form.wanted.data
        else _("Nie będziemy już wysyłać cotygodniowych wiadomości."),
        "success",
    )
    return redirect(url_for("news.board"), 303)


@bp.get("/public")
def public():
    """Show the posts members marked public."""
    return render_template("news/public.html", posts=news.public_posts())


@bp.get("/feed.atom")
def feed():
    """Serve the public posts as an Atom feed."""
    posts = news.public_posts()
    updated = max((p.updated_at for p in posts), default=utcnow())
    body = render_template("news/feed.xml", posts=posts, updated=updated)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=900"
    return response
