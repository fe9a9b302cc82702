#include "emojipicker.h"

#include <QGridLayout>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>
#include <QToolButton>

namespace {

constexpr int Columns = 8;
const QString RecentKey = QStringLiteral("compose/recentEmoji");

// What people use most in chat (faces, hands, hearts, a few objects), eight to a row.
const QStringList All = QStringLiteral("😀 😂 🤣 😊 😍 😘 😎 🤔 "
                                       "😅 😉 🙂 🙃 😐 😴 😭 😡 "
                                       "😱 😳 🤗 🤐 😇 🥳 😢 😤 "
                                       "👍 👎 👌 👏 🙏 💪 👋 🤝 "
                                       "❤️ 💔 💯 🔥 ✨ 🎉 🎂 🎁 "
                                       "☕ 🍵 🍚 🍜 🍺 🍎 🌹 🌞 "
                                       "✅ ❌ ❓ ❗ 💡 📎 📅 ⏰ "
                                       "🐶 🐱 🐼 🐷 🐔 🕊️ 🌈 ⭐")
                            .split(u' ', Qt::SkipEmptyParts);

} // namespace

EmojiPicker::EmojiPicker(const QString& settingsPath, QWidget* parent)
    : QFrame(parent, Qt::Popup)
    , m_settingsPath(settingsPath)
    , m_grid(new QGridLayout(this))
{
    setObjectName(QStringLiteral("emojiPicker"));
    setAccessibleName(tr("Emoji"));
    setFrameShape(QFrame::StyledPanel);
    m_grid->setContentsMargins(4, 4, 4, 4);
    m_grid->setSpacing(0);
}

QStringList EmojiPicker::recent() const
{
    // Only emoji of the grid: the file may have been edited by hand.
    QStringList out;
    for (const QString& e : QSettings(m_settingsPath, QSettings::IniFormat).value(RecentKey).toStringList())
        if (All.contains(e) && !out.contains(e) && out.size() < MaxRecent)
            out.append(e);
    return out;
}

QStringList EmojiPicker::shown() const
{
    QStringList out = recent();
    for (const QString& e : All)
        if (!out.contains(e))
            out.append(e);
    return out;
}

void EmojiPicker::rebuild()
{
    while (QLayoutItem* item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    const QStringList emoji = shown();
    for (qsizetype i = 0; i < emoji.size(); ++i) {
        auto* button = new QToolButton;
        button->setText(emoji.at(i));
        button->setAccessibleName(emoji.at(i));
        button->setFont(font);
        button->setAutoRaise(true);
        connect(button, &QToolButton::clicked, this, [this, e = emoji.at(i)] { choose(e); });
        m_grid->addWidget(button, int(i / Columns), int(i % Columns));
    }
    adjustSize();
}

void EmojiPicker::popUp(const QPoint& bottomLeft)
{
    rebuild();
    QPoint at = bottomLeft - QPoint(0, sizeHint().height());
    if (const QScreen* screen = QGuiApplication::screenAt(bottomLeft)) {
        const QRect area = screen->availableGeometry();
        at.setX(std::clamp(at.x(), area.left(), std::max(area.left(), area.right() - sizeHint().width())));
        at.setY(std::clamp(at.y(), area.top(), std::max(area.top(), area.bottom() - sizeHint().height())));
    }
    move(at);
    show();
    // The first (most recent) emoji has the keyboard: arrows move, Space picks, Esc closes.
    if (QLayoutItem* first = m_grid->itemAt(0); first && first->widget())
        first->widget()->setFocus();
}

void EmojiPicker::choose(const QString& emoji)
{
    QStringList recent = this->recent();
    recent.removeAll(emoji);
    recent.prepend(emoji);
    QSettings(m_settingsPath, QSettings::IniFormat).setValue(RecentKey, recent.mid(0, MaxRecent));
    hide();
    Q_EMIT picked(emoji);
}
