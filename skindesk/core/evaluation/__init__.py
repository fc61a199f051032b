"""Model evaluation: datasets, label mapping, metrics, threshold choice, reports.

``skindesk evaluate`` strings these together: :func:`.dataset.load_dataset`,
:func:`.labelmap.infer_label_map`, :func:`.evaluate.predict_dataset`,
:func:`.evaluate.evaluate_scores`, then :mod:`.report_pdf` / :mod:`.report_html`.
Nothing here imports a GUI toolkit; matplotlib and reportlab are imported
only when a report is drawn.
"""
