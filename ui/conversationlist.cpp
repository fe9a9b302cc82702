#include "conversationlist.h"

#include "avatar.h"
#include "colors.h"
#include "conversationlistmodel.h"
#include "lockicon.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace {

constexpr int RowHeight = 64;
constexpr int Margin = 10;
constexpr int AvatarSize = 42;

} // namespace

void ConversationFilter::setText(const QString& text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

bool ConversationFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    return i.data(ConversationListModel::PeerRole).toString().contains(m_text, Qt::CaseInsensitive) ||
           i.data(ConversationListModel::AddressRole).toString().contains(m_text, Qt::CaseInsensitive) ||
           i.data(ConversationListModel::NickRole).toString().contains(m_text, Qt::CaseInsensitive);
}

QString ConversationDelegate::shortTime(const QDateTime& time)
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toLocalTime();
    const QDate today = QDate::currentDate();
    const qint64 days = local.date().daysTo(today);
    if (days == 0)
        return local.toString(QStringLiteral("HH:mm"));
    if (days == 1)
        return tr("Yesterday");
    if (days > 1 && days < 7)
        return QLocale().dayName(local.date().dayOfWeek(), QLocale::ShortFormat);
    return QLocale().toString(local.date(), QLocale::ShortFormat);
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    return {option.rect.width() > 0 ? option.rect.width() : 240, RowHeight};
}

void ConversationDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const QString peer = index.data(ConversationListModel::PeerRole).toString();
    const QString label = index.data(Qt::DisplayRole).toString();
    const QString address = index.data(ConversationListModel::AddressRole).toString();
    const bool contact = index.data(ConversationListModel::IsContactRole).toBool();
    const int unread = index.data(ConversationListModel::UnreadRole).toInt();
    const int presence = index.data(ConversationListModel::PresenceRole).toInt();
    QString last = index.data(ConversationListModel::LastTextRole).toString();
    last.replace(u'\n', u' ');
    const QString when = shortTime(index.data(ConversationListModel::LastTimeRole).toDateTime());

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette& pal = opt.palette;
    const QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor secondary =
        selected ? colors::mix(pal.color(QPalette::Highlight), text, 0.75) : colors::secondaryText(pal);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect r = opt.rect;
    const QRectF avatar(r.left() + Margin, r.top() + (r.height() - AvatarSize) / 2.0, AvatarSize, AvatarSize);
    paintAvatar(*painter, avatar, peer);
    const QRectF dot(avatar.right() - 11, avatar.bottom() - 11, 12, 12);
    painter->setPen(QPen(pal.color(selected ? QPalette::Highlight : QPalette::Base), 2));
    painter->setBrush(pal.color(selected ? QPalette::Highlight : QPalette::Base));
    painter->drawEllipse(dot);
    // Unknown presence (never heard from, or a plain-text peer) is a hollow ring, not a color.
    const QRectF inner = dot.adjusted(1.5, 1.5, -1.5, -1.5);
    if (Presence(presence) == Presence::Unknown) {
        painter->setPen(QPen(colors::presence(presence), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(inner.adjusted(1, 1, -1, -1));
    } else {
        painter->setPen(Qt::NoPen);
        painter->setBrush(colors::presence(presence, index.data(ConversationListModel::StatusRole).toInt()));
        painter->drawEllipse(inner);
    }

    const int left = int(avatar.right()) + Margin;
    const int right = r.right() - Margin;
    QFont nameFont = opt.font;
    nameFont.setBold(true);
    QFont small = opt.font;
    small.setPointSizeF(opt.font.pointSizeF() * 0.85);
    const QFontMetrics nameMetrics(nameFont);
    const QFontMetrics smallMetrics(small);
    const int lineTop = r.top() + (r.height() - nameMetrics.height() - smallMetrics.height() - 4) / 2;

    // First line: name, address (small), time at the right.
    painter->setFont(small);
    const int timeWidth = smallMetrics.horizontalAdvance(when);
    painter->setPen(secondary);
    painter->drawText(QRect(right - timeWidth, lineTop, timeWidth, nameMetrics.height()), Qt::AlignVCenter, when);
    // A lock before the name when the conversation is end-to-end encrypted.
    const auto lock = ConversationListModel::Lock(index.data(ConversationListModel::LockRole).toInt());
    int nameLeft = left;
    if (lock != ConversationListModel::Lock::None) {
        const qreal lockHeight = nameMetrics.ascent() * 0.9;
        lockicon::paint(*painter,
                        QRectF(left, lineTop + (nameMetrics.height() - lockHeight) / 2, lockHeight * 0.8, lockHeight),
                        lock, pal);
        nameLeft += int(lockHeight * 0.8) + 4;
    }
    const int nameSpace = right - timeWidth - 8 - nameLeft;
    painter->setFont(nameFont);
    painter->setPen(text);
    // Away or busy (with its text) says more than the address; the address stays in the tooltip and the header.
    const auto status = Status(index.data(ConversationListModel::StatusRole).toInt());
    const QString statusText = index.data(ConversationListModel::StatusTextRole).toString();
    const QString statusWord = status == Status::Away ? tr("away") : tr("busy");
    const int members = index.data(ConversationListModel::GroupRole).toInt();
    const QString detail =
        members > 0 ? tr("group of %1").arg(members)
        : status != Status::Online
            ? (statusText.isEmpty() ? statusWord : tr("%1: %2", "status: its text").arg(statusWord, statusText))
        : contact ? address
                  : (address.isEmpty() ? tr("former contact") : tr("not in contacts"));
    // A long claimed nickname must not push "not in contacts" out of sight; a contact's address may be elided.
    const int nameMax =
        contact ? nameSpace : qMax(nameSpace / 3, nameSpace - smallMetrics.horizontalAdvance(detail) - 8);
    const QString name = nameMetrics.elidedText(label, Qt::ElideRight, nameMax);
    painter->drawText(QRect(nameLeft, lineTop, nameSpace, nameMetrics.height()), Qt::AlignVCenter, name);
    const int nameWidth = nameMetrics.horizontalAdvance(name);
    if (detail != peer && nameWidth + 8 < nameSpace) {
        painter->setFont(small);
        painter->setPen(secondary);
        painter->drawText(QRect(nameLeft + nameWidth + 6, lineTop, nameSpace - nameWidth - 6, nameMetrics.height()),
                          Qt::AlignVCenter, smallMetrics.elidedText(detail, Qt::ElideRight, nameSpace - nameWidth - 6));
    }

    // Second line: the last message, and the unread badge at the right.
    const int secondTop = lineTop + nameMetrics.height() + 4;
    int textRight = right;
    if (unread > 0) {
        const QString count = unread > 99 ? QStringLiteral("99+") : QString::number(unread);
        QFont badgeFont = small;
        badgeFont.setBold(true);
        const QFontMetrics badgeMetrics(badgeFont);
        const int h = badgeMetrics.height() + 2;
        const int w = qMax(h, badgeMetrics.horizontalAdvance(count) + 10);
        const QRectF badge(right - w, secondTop + (smallMetrics.height() - h) / 2.0, w, h);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0xe5, 0x39, 0x35));
        painter->drawRoundedRect(badge, h / 2.0, h / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, count);
        textRight -= w + 6;
    }
    painter->setFont(small);
    painter->setPen(secondary);
    painter->drawText(QRect(left, secondTop, textRight - left, smallMetrics.height()), Qt::AlignVCenter,
                      smallMetrics.elidedText(last, Qt::ElideRight, textRight - left));
    painter->restore();
    // Keyboard focus, drawn the way the style draws it everywhere else.
    if (opt.state & QStyle::State_HasFocus) {
        QStyleOptionFocusRect focus;
        focus.QStyleOption::operator=(opt);
        focus.rect = r.adjusted(1, 1, -1, -1);
        focus.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
        focus.backgroundColor = pal.color(selected ? QPalette::Highlight : QPalette::Base);
        style->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, widget);
    }
}
