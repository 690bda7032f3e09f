"""The REST API's shared machinery, one module per concern.

``REST_FRAMEWORK`` names classes in ``errors``, ``filters``, ``negotiation``, ``pagination``
and ``throttling``; DRF imports them while ``rest_framework.views`` and
``rest_framework.generics`` are still loading, so those modules never import DRF's views,
generics or viewsets (``viewsets`` does, and nothing in the settings names it).
"""
