/**
 * Fovea's DSL: a network is a class or interface annotated {@link dev.fovea.annotations.Network}, whose
 * members of type {@link dev.fovea.annotations.Layer} carry layer annotations in source order. The
 * annotation processor checks every shape at compile time and generates the model. See docs/dsl.md.
 */
package dev.fovea.annotations;
