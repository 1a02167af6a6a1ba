package dev.fovea.processor.model;

import java.util.Map;

/**
 * Where a derived network's members come from: the base network's qualified name, each top-level
 * member's origin by name, and the {@code @Derive} that made it (where diagnostics about inherited
 * layers are printed too, as about a block's layers at its use).
 */
public record Lineage(String base, Map<String, Origin> members, SourceRef derive) {
    public enum Origin {
        /** The base's member, unchanged (perhaps frozen). */
        INHERITED,
        /** A member of the derived network that takes the place of the base's member of the same name. */
        REPLACED,
        /** A member of the derived network after the inherited ones. */
        ADDED
    }

    public Lineage {
        members = Map.copyOf(members);
    }

    /** The origin of a layer, by its path: {@code layer1.0.conv1} and {@code fc/relu} belong to members layer1 and fc. */
    public Origin originOf(String layerName) {
        int end = layerName.length();
        for (int i = 0; i < layerName.length(); i++) {
            if (layerName.charAt(i) == '.' || layerName.charAt(i) == '/') {
                end = i;
                break;
            }
        }
        return members.getOrDefault(layerName.substring(0, end), Origin.ADDED);
    }
}
