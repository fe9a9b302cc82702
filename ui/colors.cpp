#include "colors.h"

#include "messenger.h"

#include <QCryptographicHash>

namespace colors {

QColor forPeer(const QString& peer)
{
    // Mid-light hues: white initials on them and tints of them under text both stay readable.
    static const QRgb hues[] = {0xe0584f, 0xe07b39, 0xb8912a, 0x43a047, 0x1e9e8f, 0x1e88e5,
                                0x5c6bc0, 0x8e44ad, 0xd81b60, 0x6d8b3a, 0x00897b, 0x8d6e63};
    const QByteArray digest = QCryptographicHash::hash(peer.toUtf8(), QCryptographicHash::Md5);
    const auto pick = quint8(digest.at(0)) % (sizeof hues / sizeof hues[0]);
    return QColor::fromRgb(hues[pick]);
}

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

QColor mix(const QColor& base, const QColor& color, double amount)
{
    const auto blend = [amount](double a, double b) {
        return a + (b - a) * amount;
    };
    return QColor::fromRgbF(float(blend(base.redF(), color.redF())), float(blend(base.greenF(), color.greenF())),
                            float(blend(base.blueF(), color.blueF())));
}

QColor peerBubble(const QPalette& palette, const QString& peer)
{
    return mix(palette.color(QPalette::Base), forPeer(peer), isDark(palette) ? 0.38 : 0.2);
}

QColor myBubble(const QPalette& palette)
{
    const QColor accent = palette.color(QPalette::Highlight);
    return isDark(palette) ? mix(palette.color(QPalette::Base), accent, 0.75) : accent;
}

QColor myBubbleText(const QPalette& palette)
{
    return palette.color(QPalette::HighlightedText);
}

QColor secondaryText(const QPalette& palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.6);
}

QColor threadBackground(const QPalette& palette)
{
    return mix(palette.color(QPalette::Base), palette.color(QPalette::Text), isDark(palette) ? 0.03 : 0.035);
}

QColor presence(int value, int status)
{
    switch (Presence(value)) {
    case Presence::Online:
        return Status(status) == Status::Away   ? QColor(0xf5, 0xa6, 0x23)
               : Status(status) == Status::Busy ? QColor(0xe5, 0x39, 0x35)
                                                : QColor(0x2e, 0xb8, 0x4b);
    case Presence::Offline: return QColor(0x9e, 0x9e, 0x9e);
    case Presence::Unknown: break;
    }
    return QColor(0xa0, 0xa0, 0xa0);
}

QColor searchMatch(const QPalette& palette)
{
    return mix(palette.color(QPalette::Base), QColor(0xff, 0xc1, 0x07), isDark(palette) ? 0.45 : 0.6);
}

} // namespace colors
