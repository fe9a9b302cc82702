#pragma once

#include <QLabel>

// A one-line label that cuts its text with "…" to the width it is given instead of being cut off or pushing its
// neighbours; the whole text is in its tooltip. For status bar texts that may be long (a listen error).
class ElidedLabel final : public QLabel {
    Q_OBJECT
public:
    using QLabel::QLabel;
    void setFullText(const QString& text);
    QString fullText() const { return m_full; }
    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void elide();

    QString m_full;
};
