from django.urls import path

from .views import AlignmentMatrixView, AlignmentView

urlpatterns = [
    path("alignment/", AlignmentView.as_view(), name="alignment"),
    path("alignment/matrix/", AlignmentMatrixView.as_view(), name="alignment-matrix"),
]
