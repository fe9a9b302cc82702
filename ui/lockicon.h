#pragma once

#include "conversationlistmodel.h"

#include <QPainter>
#include <QPalette>
#include <QPixmap>

// The padlock that says a conversation is end-to-end encrypted (issue 13), drawn, so it reads at any size and
// device pixel ratio: closed in the secondary text color when encrypted, closed in green when the key was verified,
// open in red while a changed key waits to be trusted; nothing when not encrypted.
namespace lockicon {

using Lock = ConversationListModel::Lock;

// Paints the lock into `box` (its height sets the size; it is 0.8 as wide).
void paint(QPainter& painter, const QRectF& box, Lock lock, const QPalette& palette);
// A `size` x `size` (logical pixels) picture of it; a null pixmap for Lock::None.
QPixmap pixmap(Lock lock, int size, qreal devicePixelRatio, const QPalette& palette);
// What the lock means, for tooltips and screen readers.
QString description(Lock lock);

} // namespace lockicon
