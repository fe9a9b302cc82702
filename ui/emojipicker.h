#pragma once

#include <QFrame>
#include <QStringList>

class QGridLayout;

// The compose box's emoji picker: a popup grid of emoji with the recently used ones first. The recent ones (at most
// MaxRecent, newest first) are kept in the profile's settings file (`compose/recentEmoji`), so they survive a
// restart.
class EmojiPicker final : public QFrame {
    Q_OBJECT
public:
    static constexpr int MaxRecent = 16;

    // `settingsPath`: the profile's settings.ini.
    explicit EmojiPicker(const QString& settingsPath, QWidget* parent = nullptr);

    // The recently used emoji, newest first.
    QStringList recent() const;
    // Every emoji the grid shows, in its order: the recent ones, then the others.
    QStringList shown() const;
    // Opens the picker with its bottom left corner at `bottomLeft` (global coordinates), kept on the screen.
    void popUp(const QPoint& bottomLeft);
    // Takes `emoji` as picked: it becomes the most recent one, picked() is emitted and the picker closes.
    void choose(const QString& emoji);

Q_SIGNALS:
    void picked(const QString& emoji);

private:
    void rebuild();

    QString m_settingsPath;
    QGridLayout* m_grid;
};
