#include "avatar.h"

#include "colors.h"

#include <QPainter>
#include <QPainterPath>

QString initialOf(const QString& peer)
{
    for (qsizetype i = 0; i < peer.size(); ++i) {
        const QChar c = peer.at(i);
        if (c.isDigit() || c == u'[')
            return QStringLiteral("#");
        if (c.isHighSurrogate() && i + 1 < peer.size())
            return peer.mid(i, 2);
        if (c.isLetter())
            return c.toUpper();
    }
    return QStringLiteral("?");
}

void paintAvatar(QPainter& painter, const QRectF& rect, const QString& peer)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colors::forPeer(peer));
    painter.drawEllipse(rect);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(qMax(8, int(rect.height() * 0.45)));
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(rect, Qt::AlignCenter, initialOf(peer));
    painter.restore();
}

QPixmap avatarPixmap(const QString& peer, int size, qreal devicePixelRatio)
{
    QPixmap pixmap(QSize(size, size) * devicePixelRatio);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    paintAvatar(painter, QRectF(0, 0, size, size), peer);
    return pixmap;
}
