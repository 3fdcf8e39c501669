/**
 * The Deeplearning4j UI server module of the Hessian tab: {@link dev.curvature.hessian.ui.module.HessianModule}
 * (routes, registered through {@code META-INF/services/org.deeplearning4j.ui.api.UIModule}), the read-only,
 * caching access to the attached storages ({@code ProbeReader}) and the JSON documents it serves. The page itself
 * ({@code hessian.html} next to these classes, script and style under {@code deeplearning4jUiAssets/dl4j-hessian-ui/},
 * served at {@code /assets/dl4j-hessian-ui/}) is plain JavaScript drawing SVG and canvas, with no external library.
 */
package dev.curvature.hessian.ui.module;
