#pragma once

#include <QPixmap>
#include <QRectF>
#include <QString>

class QPainter;

// The round colored initial that stands for a contact, as QQ and FeiQ show a face.
void paintAvatar(QPainter& painter, const QRectF& rect, const QString& peer);
QPixmap avatarPixmap(const QString& peer, int size, qreal devicePixelRatio);
// The letter shown: the first letter or CJK character of the name, or '#' for an address.
QString initialOf(const QString& peer);
