#include "lockicon.h"

#include "colors.h"
#include "securitynotices.h"

#include <QPainterPath>

namespace lockicon {

void paint(QPainter& painter, const QRectF& box, Lock lock, const QPalette& palette)
{
    if (lock == Lock::None)
        return;
    const QColor color = lock == Lock::Verified     ? QColor(0x2e, 0x7d, 0x32)
                         : lock == Lock::KeyChanged ? QColor(0xe5, 0x39, 0x35)
                                                    : colors::secondaryText(palette);
    const qreal h = box.height();
    const qreal w = h * 0.8;
    const QRectF body(box.left(), box.top() + h * 0.45, w, h * 0.55);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    // The shackle: an arch over the body, lifted off its right side when the lock is open.
    const qreal stroke = std::max(1.0, h * 0.11);
    QPainterPath shackle;
    const qreal inset = w * 0.22;
    const qreal lift = lock == Lock::KeyChanged ? h * 0.15 : 0;
    shackle.moveTo(body.left() + inset, body.top());
    shackle.lineTo(body.left() + inset, box.top() + h * 0.25);
    shackle.arcTo(QRectF(body.left() + inset, box.top() + stroke / 2, w - 2 * inset, h * 0.4), 180, -180);
    shackle.lineTo(body.right() - inset, body.top() - lift);
    painter.setPen(QPen(color, stroke, Qt::SolidLine, Qt::RoundCap));
    painter.setBrush(Qt::NoBrush);
    painter.translate(0, -lift);
    painter.drawPath(shackle);
    painter.translate(0, lift);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(body, h * 0.08, h * 0.08);
    painter.restore();
}

QPixmap pixmap(Lock lock, int size, qreal devicePixelRatio, const QPalette& palette)
{
    if (lock == Lock::None)
        return {};
    QPixmap out(QSize(size, size) * devicePixelRatio);
    out.setDevicePixelRatio(devicePixelRatio);
    out.fill(Qt::transparent);
    QPainter painter(&out);
    paint(painter, QRectF(size * 0.1, 0, size * 0.8, size), lock, palette);
    return out;
}

QString description(Lock lock)
{
    switch (lock) {
    case Lock::None: return SecurityNotices::state(false, false);
    case Lock::Encrypted: return SecurityNotices::state(true, false);
    case Lock::Verified: return SecurityNotices::verifiedState();
    case Lock::KeyChanged: return SecurityNotices::state(false, true);
    }
    return {};
}

} // namespace lockicon
