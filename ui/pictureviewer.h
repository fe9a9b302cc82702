#pragma once

#include <QDialog>

class QLabel;

// A received or sent picture at full size (scaled down to fit the screen), decoded with picture.h's limits; a picture
// that cannot be shown says why instead.
class PictureViewer final : public QDialog {
    Q_OBJECT
public:
    explicit PictureViewer(const QString& path, QWidget* parent = nullptr);
    // The decoded picture's size (empty when it could not be shown).
    QSize pictureSize() const { return m_size; }

private:
    QLabel* m_label;
    QSize m_size;
};
