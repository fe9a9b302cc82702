#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

// Colors derived from the widget palette, so that light and dark themes both read well.
namespace colors {

// A stable color per contact, from a hash of the name over hues that carry white text.
QColor forPeer(const QString& peer);
bool isDark(const QPalette& palette);
// `color` mixed into the base color by `amount` (0: base, 1: color).
QColor mix(const QColor& base, const QColor& color, double amount);
// A contact's bubble: a tint of its color over the base, light or dark with the theme.
QColor peerBubble(const QPalette& palette, const QString& peer);
QColor myBubble(const QPalette& palette);
QColor myBubbleText(const QPalette& palette);
QColor secondaryText(const QPalette& palette);
// Presence as int; while online, the Status as int (away amber, busy red).
QColor presence(int presence, int status = 0);
// Behind the words a search matched: a yellow marker tint, dimmer on a dark theme.
QColor searchMatch(const QPalette& palette);
// Behind the bubbles: a shade off the base color, so that bubbles in either theme stand out.
QColor threadBackground(const QPalette& palette);

} // namespace colors
