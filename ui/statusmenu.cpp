#include "statusmenu.h"

#include "colors.h"

#include <QActionGroup>
#include <QInputDialog>
#include <QMenu>
#include <QPainter>

namespace {

QIcon dot(Status status)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(colors::presence(int(Presence::Online), int(status)));
    p.drawEllipse(QRectF(1, 1, 10, 10));
    return QIcon(pixmap);
}

} // namespace

StatusMenu::StatusMenu(Messenger* messenger, QWidget* parent)
    : QToolButton(parent)
    , m_messenger(messenger)
    , m_group(new QActionGroup(this))
{
    setObjectName(QStringLiteral("statusButton"));
    setAccessibleName(tr("My status"));
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setPopupMode(QToolButton::InstantPopup);
    setAutoRaise(true);
    auto* menu = new QMenu(this);
    m_online = menu->addAction(dot(Status::Online), tr("&Online"));
    m_away = menu->addAction(dot(Status::Away), tr("&Away"));
    m_busy = menu->addAction(dot(Status::Busy), tr("&Busy"));
    menu->addSeparator();
    m_message = menu->addAction(tr("Status &Message…"));
    m_online->setObjectName(QStringLiteral("statusOnline"));
    m_away->setObjectName(QStringLiteral("statusAway"));
    m_busy->setObjectName(QStringLiteral("statusBusy"));
    m_message->setObjectName(QStringLiteral("statusMessage"));
    m_away->setToolTip(tr("With a message, whoever writes gets it back once as an automatic answer"));
    for (QAction* a : {m_online, m_away, m_busy}) {
        a->setCheckable(true);
        m_group->addAction(a);
    }
    setMenu(menu);
    connect(m_online, &QAction::triggered, this, [this] { pick(Status::Online); });
    connect(m_away, &QAction::triggered, this, [this] { pick(Status::Away); });
    connect(m_busy, &QAction::triggered, this, [this] { pick(Status::Busy); });
    connect(m_message, &QAction::triggered, this, &StatusMenu::askMessage);
    if (m_messenger) {
        connect(m_messenger, &Messenger::statusChanged, this, &StatusMenu::showStatus);
        showStatus(m_messenger->status());
    } else {
        setEnabled(false);
        showStatus({});
    }
}

void StatusMenu::pick(Status status)
{
    if (m_messenger)
        m_messenger->setStatus(status, m_messenger->status().text);
}

void StatusMenu::askMessage()
{
    if (!m_messenger)
        return;
    const PeerStatus now = m_messenger->status();
    bool ok = false;
    const QString text = QInputDialog::getText(
        this, tr("Status Message"),
        tr("What others see next to your name; while you are away, whoever writes gets it back once:"),
        QLineEdit::Normal, now.text, &ok);
    if (ok)
        m_messenger->setStatus(now.status == Status::Online ? Status::Away : now.status, text);
}

void StatusMenu::showStatus(const PeerStatus& status)
{
    const QString word = status.status == Status::Away   ? tr("Away")
                         : status.status == Status::Busy ? tr("Busy")
                                                         : tr("Online");
    setIcon(dot(status.status));
    const QString line = status.text.section(u'\n', 0, 0);
    setText(line.isEmpty()
                ? word
                : tr("%1: %2", "status: its text").arg(word, fontMetrics().elidedText(line, Qt::ElideRight, 200)));
    setToolTip(status.text.isEmpty() ? word : word + u'\n' + status.text);
    (status.status == Status::Away ? m_away : status.status == Status::Busy ? m_busy : m_online)->setChecked(true);
}
